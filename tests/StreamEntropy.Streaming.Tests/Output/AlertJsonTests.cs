using System.Text;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Output;

namespace StreamEntropy.Streaming.Tests.Output;

public class AlertJsonTests
{
    [Fact]
    public void ToUtf8Bytes_FieldAlert_WritesTheDocumentedRecord()
    {
        var alert = new AlertEvent(AlertState.Raised, "field-psi", "1m", "country", null, "psi", 0.25, 0.1, 2, 120_000);
        Assert.Equal(
            "{\"state\":\"raised\",\"rule\":\"field-psi\",\"window\":\"1m\",\"field\":\"country\",\"metric\":\"psi\",\"value\":0.25,\"threshold\":0.1,\"consecutive\":2,\"timestamp\":\"1970-01-01T00:02:00.000Z\"}",
            Encoding.UTF8.GetString(AlertJson.ToUtf8Bytes(alert)));
        Assert.Equal("1m/country/field-psi", alert.Key);
    }

    [Fact]
    public void ToUtf8Bytes_PairAlertWithUndefinedValue_WritesPairAndNull()
    {
        var alert = new AlertEvent(AlertState.Cleared, "pair-mi", "w", null, new PairDefinition("a", "b"), "miChange", double.PositiveInfinity, 0.05, 3, 0);
        Assert.Equal(
            "{\"state\":\"cleared\",\"rule\":\"pair-mi\",\"window\":\"w\",\"pair\":{\"x\":\"a\",\"y\":\"b\"},\"metric\":\"miChange\",\"value\":null,\"threshold\":0.05,\"consecutive\":3,\"timestamp\":\"1970-01-01T00:00:00.000Z\"}",
            Encoding.UTF8.GetString(AlertJson.ToUtf8Bytes(alert)));
        Assert.Equal("w/a,b/pair-mi", alert.Key);
    }
}
