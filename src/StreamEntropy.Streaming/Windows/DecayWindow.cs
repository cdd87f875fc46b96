using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.State;

namespace StreamEntropy.Streaming.Windows;

/// <summary>Weighs every event by 2^(−age / HalfLife), with forward decay (Cormode, Shkapenyuk, Srivastava &amp; Xu, ICDE 2009).</summary>
/// <remarks>
/// <para>An event at time t gets the weight exp(λ(t − L)), λ = ln 2 / HalfLife, L a landmark time. Relative to the
/// watermark T these are the weights 2^(−(T − t)/HalfLife) times the common factor exp(λ(T − L)), and entropy and the
/// effective count are invariant under a common factor, so nothing needs updating as time passes. Weights grow with t;
/// before the exponent passes <see cref="RenormalizeExponent"/> the landmark moves to the new event's time and every
/// weight is multiplied by exp(−λ(t − L)). The bound is 200 rather than ~700 because Σ w² must not overflow either.</para>
/// <para>Reported numbers: the plug-in entropy ln W − S/W (the bias corrections of the other estimators assume integer
/// counts, so the snapshot's estimator is always <c>ml</c>); the standard error with Kish's N_eff = (Σ wᵢ)²/Σ wᵢ² over the events;
/// <see cref="FieldResult.Count"/> and <see cref="PairEntropies.Count"/> are N_eff rounded to the nearest integer;
/// <see cref="FieldResult.Coverage"/> is NaN (Good–Turing needs counts); events, missing and invalid are raw, unweighted
/// counts since the start. No event is late: an old event simply weighs little (zero once its weight underflows).</para>
/// </remarks>
internal sealed class DecayWindow : EntropyWindow
{
    /// <summary>The largest exponent λ(t − L) before the weights are renormalised (weights stay ≤ e²⁰⁰ ≈ 7e86).</summary>
    public const double RenormalizeExponent = 200;

    private const long NoLandmark = long.MinValue;

    private readonly EventEncoder _encoder;
    private readonly double _lambdaPerMs;
    private WeightedCountTable[] _fields = [];
    private WeightedPairCountTable[] _pairs = [];
    private (int X, int Y)[] _pairIndexes = [];
    private long[] _missing = [];
    private long[] _invalid = [];
    private long _events;
    private long _landmark = NoLandmark;

    public DecayWindow(WindowDefinition definition, EventEncoder encoder)
        : base(definition, EntropyEstimator.MaximumLikelihood)
    {
        if (encoder.Schema.HasBudgets)
        {
            throw new ArgumentException($"Window '{definition.Name}': decay windows do not support MaxDistinct budgets (weighted counts have no bounded summary).", nameof(encoder));
        }

        _encoder = encoder;
        _lambdaPerMs = Math.Log(2) / definition.HalfLife!.Value.TotalMilliseconds;
        Grow();
    }

    /// <inheritdoc/>
    public override void Grow()
    {
        EventSchema schema = _encoder.Schema;
        int oldFields = _fields.Length;
        int oldPairs = _pairs.Length;
        Array.Resize(ref _fields, schema.Fields.Count);
        Array.Resize(ref _missing, _fields.Length);
        Array.Resize(ref _invalid, _fields.Length);
        for (int i = oldFields; i < _fields.Length; i++)
        {
            _fields[i] = new WeightedCountTable();
        }

        Array.Resize(ref _pairs, schema.Pairs.Count);
        Array.Resize(ref _pairIndexes, _pairs.Length);
        for (int i = oldPairs; i < _pairs.Length; i++)
        {
            _pairs[i] = new WeightedPairCountTable(_encoder.Pairs[i]);
            _pairIndexes[i] = schema.PairIndexes(i);
        }
    }

    /// <summary>Gets the number of renormalisations so far (for tests).</summary>
    public int Renormalizations { get; private set; }

    /// <summary>Gets the weighted table of field <paramref name="field"/>.</summary>
    public WeightedCountTable Field(int field) => _fields[field];

    /// <summary>Gets the weighted table of pair <paramref name="pair"/>.</summary>
    public WeightedPairCountTable Pair(int pair) => _pairs[pair];

    public override void Advance(long watermarkMs, List<WindowSnapshot> closed)
    {
        // Forward decay needs nothing when time passes: all weights would shrink by the same factor.
    }

    /// <inheritdoc/>
    public override long NextAdvanceMs => long.MaxValue;

    public override void Add(ReadOnlySpan<int> ids, ReadOnlySpan<ulong> hashes, long timestampMs)
    {
        if (_landmark == NoLandmark)
        {
            _landmark = timestampMs;
        }

        double exponent = _lambdaPerMs * (timestampMs - _landmark);
        if (exponent > RenormalizeExponent)
        {
            Renormalize(timestampMs, exponent);
            exponent = 0;
        }

        double weight = Math.Exp(exponent); // 0 when an event is so old that its share underflows
        for (int f = 0; f < ids.Length; f++)
        {
            int id = ids[f];
            if (id >= 0)
            {
                _fields[f].Add(id, weight);
            }
            else if (id == EventEncoder.Missing)
            {
                _missing[f]++;
            }
            else
            {
                _invalid[f]++;
            }
        }

        for (int p = 0; p < _pairs.Length; p++)
        {
            (int xf, int yf) = _pairIndexes[p];
            int x = ids[xf];
            int y = ids[yf];
            if (x >= 0 && y >= 0)
            {
                _pairs[p].Add(x, y, weight);
            }
        }

        _events++;
    }

    public override WindowSnapshot Snapshot(long watermarkMs)
    {
        EventSchema schema = _encoder.Schema;
        var fields = new FieldResult[_fields.Length];
        for (int f = 0; f < fields.Length; f++)
        {
            FieldDefinition definition = schema.Fields[f];
            WeightedCountTable table = _fields[f];
            double entropy = table.Entropy();
            fields[f] = new FieldResult(
                definition.Name,
                (long)Math.Round(table.EffectiveCount),
                table.Distinct,
                _missing[f],
                _invalid[f],
                entropy,
                table.StandardError(),
                double.NaN,
                definition.BinWidth is double width ? NumericBinning.DifferentialEntropy(entropy, width) : null);
        }

        var pairs = new PairResult[_pairs.Length];
        for (int p = 0; p < pairs.Length; p++)
        {
            PairDefinition definition = schema.Pairs[p];
            WeightedPairCountTable table = _pairs[p];
            var entropies = new PairEntropies(
                (long)Math.Round(table.Joint.EffectiveCount),
                table.X.Entropy(),
                table.Y.Entropy(),
                table.Joint.Entropy(),
                table.Joint.StandardError());
            pairs[p] = new PairResult(definition.X, definition.Y, entropies, table.Joint.Distinct)
            {
                MutualInformationStandardError = MutualInformationError.StandardError(table),
            };
        }

        return new WindowSnapshot(
            Definition.Name, WindowKind.Decay, null, EventTime.ToTime(watermarkMs), false, _events, 0, fields, pairs, Estimator.ToName());
    }

    public override void Write(StateWriter writer)
    {
        writer.Write(_landmark);
        writer.Write(_events);
        writer.Write(Renormalizations);
        for (int f = 0; f < _fields.Length; f++)
        {
            writer.Write(_missing[f]);
            writer.Write(_invalid[f]);
            TableState.Write(writer, _fields[f]);
        }

        foreach (WeightedPairCountTable pair in _pairs)
        {
            TableState.Write(writer, pair.Joint);
            TableState.Write(writer, pair.X);
            TableState.Write(writer, pair.Y);
        }
    }

    public override void Read(BinaryReader reader, List<(int Id, long Count)> scratch)
    {
        _landmark = reader.ReadInt64();
        if (_landmark != NoLandmark && (_landmark < EventTime.MinMs || _landmark > EventTime.MaxMs))
        {
            throw new InvalidDataException($"Window '{Definition.Name}': landmark {_landmark} is out of range.");
        }

        _events = TableState.ReadNonNegative(reader, "event count");
        Renormalizations = reader.ReadInt32();
        for (int f = 0; f < _fields.Length; f++)
        {
            _missing[f] = TableState.ReadNonNegative(reader, "missing count");
            _invalid[f] = TableState.ReadNonNegative(reader, "invalid count");
            TableState.Read(reader, _fields[f], _encoder.Values[f].Count);
        }

        for (int p = 0; p < _pairs.Length; p++)
        {
            (int xf, int yf) = _pairIndexes[p];
            TableState.Read(reader, _pairs[p].Joint, _encoder.Pairs[p].Count);
            TableState.Read(reader, _pairs[p].X, _encoder.Values[xf].Count);
            TableState.Read(reader, _pairs[p].Y, _encoder.Values[yf].Count);
        }
    }

    private void Renormalize(long timestampMs, double exponent)
    {
        double factor = Math.Exp(-exponent);
        foreach (WeightedCountTable table in _fields)
        {
            table.Scale(factor);
        }

        foreach (WeightedPairCountTable pair in _pairs)
        {
            pair.Scale(factor);
        }

        _landmark = timestampMs;
        Renormalizations++;
    }
}
