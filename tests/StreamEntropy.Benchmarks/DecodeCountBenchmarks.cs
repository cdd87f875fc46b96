using System.Text;
using BenchmarkDotNet.Attributes;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Benchmarks;

/// <summary>Decoding and counting without Kafka: ns per event (Mean) ⇒ events/s = 1e9 / Mean.</summary>
/// <remarks>
/// <para>65 536 distinct events of about 100 bytes, laid out back to back in one buffer as a consumer's fetch buffer
/// would hold them, each with 4 measured fields (one nested, one with ~200 k distinct values) and one field that is not
/// measured and must be skipped:</para>
/// <code>{"user":{"id":"u0123456","tier":"gold"},"country":"DE","device":"android-14","event":"add_to_cart","ms":412}</code>
/// <para>Pairs: (country, device) and (user, event). One cumulative window. GlobalSetup runs every event through the
/// engine once, so the measured steady state has seen every value and must allocate nothing.</para>
/// </remarks>
[MemoryDiagnoser]
public class DecodeCountBenchmarks
{
    private const int Events = 65_536;

    /// <summary>The events per <see cref="EntropyEngine.ProcessMany"/> call: a hand-off batch of the worker holds up to
    /// about this many records of this size.</summary>
    private const int HandoffEvents = 2048;

    private static readonly string[] Countries =
    [
        "US", "DE", "GB", "FR", "IN", "BR", "JP", "CA", "ES", "IT", "NL", "PL", "SE", "MX", "AU", "KR", "TR", "CH", "BE", "AT",
        "NO", "DK", "FI", "IE", "PT", "CZ", "RO", "HU", "GR", "IL", "ZA", "AR", "CL", "CO", "PE", "NZ", "SG", "MY", "TH", "VN",
    ];

    private static readonly string[] Devices = ["android-14", "ios-17", "web-chrome", "web-safari", "web-firefox", "android-13", "ios-16", "smart-tv"];

    private static readonly string[] EventTypes =
    [
        "page_view", "add_to_cart", "search", "checkout", "login", "logout", "purchase", "remove_item", "share", "rate",
    ];

    private static readonly string[] Tiers = ["free", "gold", "silver"];

    private byte[] _buffer = [];
    private int[] _offsets = [];
    private EntropyEngine _engine = null!;
    private EntropyEngine _batchEngine = null!;
    private int[] _starts = [];
    private int[] _lengths = [];
    private long[] _times = [];
    private DecodeError[] _results = [];
    private JsonEventDecoder _decoder = null!;
    private JsonEventDecoder _readerWalk = null!;
    private EventEncoder _encoder = null!;
    private int[] _ids = [];
    private long _time;

    /// <summary>Gets the mean event size in bytes (printed by Setup so the report can quote it).</summary>
    public static double MeanEventBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        int[] users = Workloads.ZipfIds(200_000, Events, seed: 11, exponent: 0.8);
        int[] countries = Workloads.ZipfIds(Countries.Length, Events, seed: 12);
        int[] devices = Workloads.ZipfIds(Devices.Length, Events, seed: 13);
        int[] types = Workloads.ZipfIds(EventTypes.Length, Events, seed: 14);
        var random = new Random(15);
        var text = new StringBuilder();
        _offsets = new int[Events + 1];
        var bytes = new List<byte>(Events * 110);
        for (int i = 0; i < Events; i++)
        {
            text.Clear();
            text.Append(FormattableString.Invariant(
                $$"""{"user":{"id":"u{{users[i]:D7}}","tier":"{{Tiers[random.Next(Tiers.Length)]}}"},"country":"{{Countries[countries[i]]}}","device":"{{Devices[devices[i]]}}","event":"{{EventTypes[types[i]]}}","ms":{{random.Next(2000)}}}"""));
            bytes.AddRange(Encoding.UTF8.GetBytes(text.ToString()));
            _offsets[i + 1] = bytes.Count;
        }

        _buffer = [.. bytes];
        MeanEventBytes = (double)_buffer.Length / Events;
        Console.WriteLine(FormattableString.Invariant($"// DecodeCountBenchmarks: {Events} events, {MeanEventBytes:0.0} bytes each on average"));

        var schema = new EventSchema(
            [
                new FieldDefinition("user", "user.id"),
                new FieldDefinition("country", "country"),
                new FieldDefinition("device", "device"),
                new FieldDefinition("event", "event"),
            ],
            [new PairDefinition("country", "device"), new PairDefinition("user", "event")]);
        _engine = new EntropyEngine(schema, [new WindowDefinition("all", WindowKind.Cumulative)], EntropyEstimator.MaximumLikelihood, maxEventBytes: 1 << 16);
        _batchEngine = new EntropyEngine(schema, [new WindowDefinition("all", WindowKind.Cumulative)], EntropyEstimator.MaximumLikelihood, maxEventBytes: 1 << 16);
        _starts = _offsets[..Events];
        _lengths = [.. Enumerable.Range(0, Events).Select(i => _offsets[i + 1] - _offsets[i])];
        _times = new long[HandoffEvents];
        _results = new DecodeError[HandoffEvents];
        _decoder = new JsonEventDecoder(["user.id", "country", "device", "event"]);
        _readerWalk = new JsonEventDecoder(["user.id", "country", "device", "event"], 64, 1 << 20, useScanner: false);
        _encoder = new EventEncoder(schema);
        _ids = new int[4];
        _time = 1_700_000_000_000;
        if (DecodeAndCount() != Events || DecodeAndCountBatch() != Events || DecodeOnly() != Events * 4L || DecodeOnlyReaderWalk() != Events * 4L || DecodeAndEncode() == 0)
        {
            throw new InvalidOperationException("Some generated events were rejected or lacked a field.");
        }
    }

    /// <summary>The decoder alone: parse each event and locate the four values.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long DecodeOnly() => Decode(_decoder);

    /// <summary>The decoder without its path scanner: every event takes the <c>Utf8JsonReader</c> walk (the decoder
    /// before the scanner, and still its reference), measured in the same run.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long DecodeOnlyReaderWalk() => Decode(_readerWalk);

    /// <summary>Decode, then intern the four values to ids (as the engine does before counting), without counting.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long DecodeAndEncode()
    {
        JsonEventDecoder decoder = _decoder;
        EventEncoder encoder = _encoder;
        int[] ids = _ids;
        ReadOnlySpan<byte> buffer = _buffer;
        int[] offsets = _offsets;
        long sum = 0;
        for (int i = 0; i < Events; i++)
        {
            if (decoder.Decode(buffer[offsets[i]..offsets[i + 1]]) == DecodeError.None)
            {
                for (int f = 0; f < ids.Length; f++)
                {
                    ids[f] = decoder.TryGetValue(f, out ReadOnlySpan<byte> text) ? encoder.Encode(f, text) : EventEncoder.Missing;
                    sum += ids[f];
                }
            }
        }

        return sum;
    }

    /// <summary>The whole per-event path of <see cref="EntropyEngine.Process"/>: decode, intern, count 4 fields and 2 pairs.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long DecodeAndCount()
    {
        EntropyEngine engine = _engine;
        ReadOnlySpan<byte> buffer = _buffer;
        int[] offsets = _offsets;
        long accepted = 0;
        long time = _time;
        for (int i = 0; i < Events; i++)
        {
            accepted += engine.Process(buffer[offsets[i]..offsets[i + 1]], time++) == DecodeError.None ? 1 : 0;
        }

        _time = time;
        return accepted;
    }

    /// <summary>The same events through <see cref="EntropyEngine.ProcessMany"/>, in batches of
    /// <see cref="HandoffEvents"/> as the worker's counting thread gets them: decode, intern per field and count per
    /// table, with the cache misses of a run overlapping.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long DecodeAndCountBatch()
    {
        EntropyEngine engine = _batchEngine;
        long[] times = _times;
        DecodeError[] results = _results;
        long accepted = 0;
        long time = _time;
        for (int from = 0; from < Events; from += HandoffEvents)
        {
            for (int i = 0; i < times.Length; i++)
            {
                times[i] = time++;
            }

            engine.ProcessMany(_buffer, _starts.AsSpan(from, HandoffEvents), _lengths.AsSpan(from, HandoffEvents), times, results);
            foreach (DecodeError result in results)
            {
                accepted += result == DecodeError.None ? 1 : 0;
            }
        }

        _time = time;
        return accepted;
    }

    private long Decode(JsonEventDecoder decoder)
    {
        ReadOnlySpan<byte> buffer = _buffer;
        int[] offsets = _offsets;
        long found = 0;
        for (int i = 0; i < Events; i++)
        {
            if (decoder.Decode(buffer[offsets[i]..offsets[i + 1]]) == DecodeError.None)
            {
                for (int f = 0; f < 4; f++)
                {
                    found += decoder.TryGetValue(f, out _) ? 1 : 0;
                }
            }
        }

        return found;
    }
}
