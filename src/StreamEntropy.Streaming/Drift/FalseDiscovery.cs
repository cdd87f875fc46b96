namespace StreamEntropy.Streaming.Drift;

/// <summary>Benjamini–Hochberg adjustment of the G-test p-values of one family of tests (the subjects scored at one
/// window close), in −log₁₀ p.</summary>
/// <remarks>
/// <para>Sorted by p ascending, the adjusted p of the i-th of m is min over j ≥ i of (m / j)·p₍ⱼ₎, capped at 1;
/// rejecting every test whose adjusted p is at most q keeps the expected share of false discoveries among the rejected
/// at most q (for independent or positively dependent tests). In −log₁₀ p that is max over j ≥ i of
/// (s₍ⱼ₎ − log₁₀(m / j)), floored at 0: done in that space because the G-test's p of a real change is far below the
/// smallest double (−log₁₀ p of several hundred).</para>
/// <para>An undefined significance (NaN: an empty side) is no test: it is left out of m and stays NaN. A family of one
/// is returned unchanged, bit for bit.</para>
/// </remarks>
internal static class FalseDiscovery
{
    /// <summary>Adjusts <paramref name="significances"/> (−log₁₀ p) into <paramref name="adjusted"/> (same length).</summary>
    public static void Adjust(ReadOnlySpan<double> significances, Span<double> adjusted)
    {
        if (adjusted.Length != significances.Length)
        {
            throw new ArgumentException("The spans must have the same length.", nameof(adjusted));
        }

        int[] order = new int[significances.Length];
        int m = 0;
        for (int i = 0; i < significances.Length; i++)
        {
            adjusted[i] = double.NaN;
            if (!double.IsNaN(significances[i]))
            {
                order[m++] = i;
            }
        }

        if (m == 0)
        {
            return;
        }

        double[] keys = new double[m];
        for (int k = 0; k < m; k++)
        {
            keys[k] = -significances[order[k]]; // most significant (smallest p) first; ties keep subject order
        }

        Array.Sort(keys, order, 0, m);
        double running = 0;
        for (int rank = m; rank >= 1; rank--)
        {
            int i = order[rank - 1];
            running = Math.Max(running, significances[i] - Math.Log10((double)m / rank));
            adjusted[i] = running;
        }
    }

    /// <summary>Adjusts the significances of every field of a report together, and of every pair's joint together.</summary>
    /// <returns>The report with <see cref="FieldDrift.AdjustedGTestSignificance"/> set on the fields and the pairs' joints.</returns>
    public static DriftReport Adjust(DriftReport report)
    {
        double[] fields = Adjusted(report.Fields.Select(f => f.GTestSignificance).ToArray());
        double[] pairs = Adjusted(report.Pairs.Select(p => p.Joint.GTestSignificance).ToArray());
        return report with
        {
            Fields = [.. report.Fields.Select((f, i) => f with { AdjustedGTestSignificance = fields[i] })],
            Pairs = [.. report.Pairs.Select((p, i) => p with { Joint = p.Joint with { AdjustedGTestSignificance = pairs[i] } })],
        };

        static double[] Adjusted(double[] significances)
        {
            double[] adjusted = new double[significances.Length];
            Adjust(significances, adjusted);
            return adjusted;
        }
    }
}
