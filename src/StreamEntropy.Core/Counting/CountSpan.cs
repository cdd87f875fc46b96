using System.Runtime.CompilerServices;

namespace StreamEntropy.Core.Counting;

/// <summary>A read-only view of a <see cref="CountTable"/>'s counts indexed by id, whichever width they are stored in.</summary>
/// <remarks>A table keeps its counts as <see cref="int"/> (4 bytes per id) until one of them passes
/// <see cref="int.MaxValue"/>, and as <see cref="long"/> from then on (see the <see cref="CountTable"/> remarks); this view
/// reads either as <see cref="long"/>. The width is fixed for the view's lifetime, so the test in the indexer goes the
/// same way at every element of a loop (a branch the processor predicts, and for narrow counts the access's own bounds
/// check). Like a span, it is invalidated by an update
/// of the table that grows or widens its counts.</remarks>
// Two spans and nothing else, one of them always empty: four fields, which the JIT keeps in registers through a loop,
// and a length that is their sum.
public readonly ref struct CountSpan
{
    private readonly ReadOnlySpan<int> _narrow;
    private readonly ReadOnlySpan<long> _wide;

    /// <summary>Creates a view of 32-bit counts.</summary>
    /// <param name="counts">The counts, indexed by id.</param>
    public CountSpan(ReadOnlySpan<int> counts)
    {
        _narrow = counts;
    }

    /// <summary>Creates a view of 64-bit counts.</summary>
    /// <param name="counts">The counts, indexed by id.</param>
    public CountSpan(ReadOnlySpan<long> counts)
    {
        _wide = counts;
    }

    /// <summary>Gets the number of ids in the view (ids past it have count zero).</summary>
    public int Length => _narrow.Length + _wide.Length;

    /// <summary>Gets a value indicating whether the view has no ids.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>Gets the count of one id.</summary>
    /// <param name="id">An id below <see cref="Length"/>.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="id"/> is outside the view.</exception>
    public long this[int id]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        // For narrow counts the test is the bounds check of the access (the JIT drops the second); past their end (or
        // when they are empty because the counts are wide) the wide span is read, and checked.
        get => (uint)id < (uint)_narrow.Length ? _narrow[id] : _wide[id];
    }

    /// <summary>Views 64-bit counts (an array of them, a span).</summary>
    /// <param name="counts">The counts, indexed by id.</param>
    public static implicit operator CountSpan(ReadOnlySpan<long> counts) => new(counts);

    /// <summary>Views 64-bit counts.</summary>
    /// <param name="counts">The counts, indexed by id.</param>
    public static implicit operator CountSpan(long[] counts) => new(counts);

    /// <summary>Copies the counts into <paramref name="destination"/>, widened to 64 bits.</summary>
    /// <param name="destination">At least <see cref="Length"/> long.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the view.</exception>
    public void CopyTo(Span<long> destination)
    {
        if (!_wide.IsEmpty)
        {
            _wide.CopyTo(destination);
            return;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, _narrow.Length, nameof(destination));
        for (int id = 0; id < _narrow.Length; id++)
        {
            destination[id] = _narrow[id];
        }
    }

    /// <summary>Copies the counts into a new array, widened to 64 bits.</summary>
    /// <returns>The counts indexed by id.</returns>
    public long[] ToArray()
    {
        long[] copy = new long[Length];
        CopyTo(copy);
        return copy;
    }
}
