using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>The counts of every field and pair of a file under a budget of distinct values each (<c>profile --max-distinct</c>).</summary>
/// <remarks>
/// <para>Each field counts the <see cref="StableHash64"/> of its value's text (of the bin's text for a field with a bin
/// width, as <see cref="NumericBinning.TryBin"/> writes it), each pair the <see cref="StableHash64.Pair"/> of the two
/// value hashes plus both marginals over the paired rows, as <see cref="BoundedPairSummary"/> does. Nothing is interned,
/// so memory is bounded by the budget whatever the number of distinct values. Every count is exact, with the exact
/// path's values, while it has at most <see cref="MaxDistinct"/> distinct values; beyond that it becomes a
/// <see cref="BoundedCountSummary"/> whose entropy is a certified bracket around the exact plug-in value with a point
/// estimate (see <see cref="BoundedCounts"/>). Only the plug-in (ml) entropy is bracketed.</para>
/// <para>Fed by <see cref="FileProfiler.Count(string, InputFormat, BoundedProfile, IProgress{long}, InvalidValues)"/>. Single writer.</para>
/// </remarks>
public sealed class BoundedProfile : IRowSink
{
    private readonly BoundedCounts[] _fields;
    private readonly double[] _binWidths; // NaN for categorical fields
    private readonly long[] _missing;
    private readonly long[] _invalid;
    private readonly ulong[] _hashes; // the current row's value hashes
    private readonly bool[] _present; // whether the current row has a valid value of the field
    private readonly BoundedPairCounts[] _pairs;
    private readonly (int X, int Y)[] _pairIndexes;

    /// <summary>Creates empty counts for <paramref name="schema"/>, each exact up to <paramref name="maxDistinct"/> distinct values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDistinct"/> is outside
    /// [<see cref="FieldDefinition.MinMaxDistinct"/>, <see cref="FieldDefinition.MaxMaxDistinct"/>].</exception>
    public BoundedProfile(EventSchema schema, int maxDistinct)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDistinct, FieldDefinition.MinMaxDistinct);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDistinct, FieldDefinition.MaxMaxDistinct);
        Schema = schema;
        MaxDistinct = maxDistinct;
        int fields = schema.Fields.Count;
        _fields = new BoundedCounts[fields];
        _binWidths = new double[fields];
        for (int f = 0; f < fields; f++)
        {
            _fields[f] = new BoundedCounts(maxDistinct);
            _binWidths[f] = schema.Fields[f].BinWidth ?? double.NaN;
        }

        _missing = new long[fields];
        _invalid = new long[fields];
        _hashes = new ulong[fields];
        _present = new bool[fields];

        int pairs = schema.Pairs.Count;
        _pairs = new BoundedPairCounts[pairs];
        _pairIndexes = new (int, int)[pairs];
        for (int p = 0; p < pairs; p++)
        {
            _pairs[p] = new BoundedPairCounts(maxDistinct);
            _pairIndexes[p] = schema.PairIndexes(p);
        }
    }

    /// <summary>Gets the schema.</summary>
    public EventSchema Schema { get; }

    /// <summary>Gets the budget of distinct values per field, per pair and per pair marginal.</summary>
    public int MaxDistinct { get; }

    /// <summary>Gets the number of rows counted.</summary>
    public long Rows { get; private set; }

    /// <summary>Gets how many rows lacked field <paramref name="field"/> (absent or null).</summary>
    public long Missing(int field) => _missing[field];

    /// <summary>Gets how many rows had a value of numeric field <paramref name="field"/> that is not a number.</summary>
    public long Invalid(int field) => _invalid[field];

    /// <summary>Computes the measures of every field, in schema order; entropies in nats.</summary>
    public BoundedFieldResult[] Fields()
    {
        var results = new BoundedFieldResult[_fields.Length];
        for (int f = 0; f < results.Length; f++)
        {
            BoundedCounts counts = _fields[f];
            FieldDefinition definition = Schema.Fields[f];
            results[f] = new BoundedFieldResult(
                definition.Name,
                counts.Total,
                counts.Distinct,
                _missing[f],
                _invalid[f],
                counts.Entropy(),
                counts.StandardError(),
                counts.Coverage(),
                definition.BinWidth);
        }

        return results;
    }

    /// <summary>Computes the measures of every pair, in schema order; entropies in nats.</summary>
    public BoundedPairResult[] Pairs()
    {
        var results = new BoundedPairResult[_pairs.Length];
        for (int p = 0; p < results.Length; p++)
        {
            PairDefinition definition = Schema.Pairs[p];
            BoundedPairCounts pair = _pairs[p];
            results[p] = new BoundedPairResult(definition.X, definition.Y, pair.Entropies(), pair.Joint.Distinct, pair.Joint.StandardError());
        }

        return results;
    }

    /// <inheritdoc/>
    bool IRowSink.TryAdd(int field, ReadOnlySpan<byte> text)
    {
        ulong hash;
        double width = _binWidths[field];
        if (double.IsNaN(width))
        {
            hash = StableHash64.Hash(text);
        }
        else
        {
            Span<byte> bin = stackalloc byte[NumericBinning.MaxBinTextLength];
            if (!NumericBinning.TryBin(text, width, bin, out int written))
            {
                _invalid[field]++;
                _present[field] = false;
                return false;
            }

            hash = StableHash64.Hash(bin[..written]);
        }

        _fields[field].Add(hash);
        _hashes[field] = hash;
        _present[field] = true;
        return true;
    }

    /// <inheritdoc/>
    void IRowSink.AddMissing(int field)
    {
        _missing[field]++;
        _present[field] = false;
    }

    /// <inheritdoc/>
    void IRowSink.AddInvalid(int field)
    {
        _invalid[field]++;
        _present[field] = false;
    }

    /// <inheritdoc/>
    void IRowSink.EndRow()
    {
        for (int p = 0; p < _pairIndexes.Length; p++)
        {
            (int x, int y) = _pairIndexes[p];
            if (_present[x] && _present[y])
            {
                _pairs[p].Add(_hashes[x], _hashes[y]);
            }
        }

        Rows++;
    }
}

/// <summary>The measures of one field under a distinct-value budget; entropies in nats.</summary>
/// <param name="Name">The field's name.</param>
/// <param name="Count">The number of values counted (rows with the field present and valid), exact.</param>
/// <param name="Distinct">The number of distinct values (or bins): exact when <see cref="IsExact"/>, else an estimate.</param>
/// <param name="Missing">Rows without the field, exact.</param>
/// <param name="Invalid">Rows whose value of a numeric field was not a number, exact.</param>
/// <param name="Entropy">The plug-in H(X): exact, or a certified bracket with a point estimate; NaN when nothing was counted.</param>
/// <param name="StandardError">The plug-in standard error of H(X) when exact; NaN otherwise.</param>
/// <param name="Coverage">Good–Turing coverage 1 − f₁/N when exact; NaN otherwise.</param>
/// <param name="BinWidth">The bin width of a numeric field; null for a categorical one.</param>
public sealed record BoundedFieldResult(
    string Name,
    long Count,
    double Distinct,
    long Missing,
    long Invalid,
    EntropyBracket Entropy,
    double StandardError,
    double Coverage,
    double? BinWidth)
{
    /// <summary>Gets whether every value is exact.</summary>
    public bool IsExact => Entropy.IsExact;

    /// <summary>Gets H / ln K when exact and K ≥ 2; NaN otherwise (no certified bound on the ratio is kept).</summary>
    public double NormalizedEntropy => IsExact && Distinct >= 2 ? Entropy.Estimate / Math.Log(Distinct) : double.NaN;

    /// <summary>Gets, for a binned field, H(bins) + ln(width) for the bracket and the estimate; otherwise null.</summary>
    public EntropyBracket? DifferentialEntropy => BinWidth is double width
        ? Entropy with
        {
            Lower = NumericBinning.DifferentialEntropy(Entropy.Lower, width),
            Estimate = NumericBinning.DifferentialEntropy(Entropy.Estimate, width),
            Upper = NumericBinning.DifferentialEntropy(Entropy.Upper, width),
        }
        : null;
}

/// <summary>The measures of one pair of fields under a distinct-value budget; entropies in nats.</summary>
/// <param name="X">The first field's name.</param>
/// <param name="Y">The second field's name.</param>
/// <param name="Entropies">Brackets (exact or certified) of H(X), H(Y), H(X,Y), H(Y|X), H(X|Y) and I(X;Y) over the rows that have both.</param>
/// <param name="DistinctPairs">The number of distinct (x, y) pairs: exact while the joint counts are exact, else an estimate.</param>
/// <param name="JointStandardError">The plug-in standard error of H(X,Y) while the joint counts are exact; NaN otherwise.</param>
public sealed record BoundedPairResult(string X, string Y, PairEntropyBrackets Entropies, double DistinctPairs, double JointStandardError)
{
    /// <summary>Gets whether every measure is exact (joint and both marginals within the budget).</summary>
    public bool IsExact => Entropies.Joint.IsExact && Entropies.X.IsExact && Entropies.Y.IsExact;
}
