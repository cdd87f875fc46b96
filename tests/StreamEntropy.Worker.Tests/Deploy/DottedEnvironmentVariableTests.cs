using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>The Helm chart and the systemd env file pass librdkafka settings as environment variables whose names hold
/// dots (StreamEntropy__Kafka__Client__sasl.username). .NET's environment provider turns "__" into ":" and keeps the
/// dots, so they bind to the Client dictionary with the librdkafka names that librdkafka itself accepts.</summary>
public sealed class DottedEnvironmentVariableTests
{
    [Fact]
    public void EnvironmentVariableWithDots_BindsToAClientSetting()
    {
        string prefix = $"SE_DEPLOY_TEST_{Guid.NewGuid():N}_";
        var variables = new Dictionary<string, string>
        {
            ["StreamEntropy__Kafka__Client__sasl.username"] = "alice",
            ["StreamEntropy__Kafka__Client__sasl.password"] = "s3cret",
            ["StreamEntropy__Kafka__Client__sasl.mechanism"] = "SCRAM-SHA-512",
            ["StreamEntropy__Kafka__Client__security.protocol"] = "SASL_SSL",
        };
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(prefix + name, value);
            }

            IConfigurationRoot configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            StreamEntropyOptions o = configuration.GetSection(StreamEntropyOptions.SectionName).Get<StreamEntropyOptions>()!;

            Assert.Equal("alice", o.Kafka.Client["sasl.username"]);
            Assert.Equal("s3cret", o.Kafka.Client["sasl.password"]);
            Assert.Equal("SCRAM-SHA-512", o.Kafka.Client["sasl.mechanism"]);
            Assert.Equal("SASL_SSL", o.Kafka.Client["security.protocol"]);

            // librdkafka rejects unknown property names when the client is built; these must all be accepted.
            var config = new ProducerConfig(new Dictionary<string, string>(o.Kafka.Client)) { BootstrapServers = "127.0.0.1:9" };
            using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(config).Build();
            Assert.NotNull(producer.Name);
        }
        finally
        {
            foreach (string name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(prefix + name, null);
            }
        }
    }

    [Fact]
    public void MisspelledLibrdkafkaProperty_IsRejectedByLibrdkafka()
    {
        var config = new ProducerConfig(new Dictionary<string, string> { ["sasl.usernme"] = "alice" }) { BootstrapServers = "127.0.0.1:9" };

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => new ProducerBuilder<Null, byte[]>(config).Build().Dispose());
        Assert.Contains("sasl.usernme", e.Message, StringComparison.Ordinal);
    }
}
