namespace StreamEntropy.Streaming.Drift;

/// <summary>The null distribution of one auto rule on one window and subject: its finite leave-one-out chunk scores,
/// in chunk order, and how many chunks the reference period had. The threshold is recomputed from it (so a restart
/// with another k recalibrates without the reference period), and it is what the saved state keeps.</summary>
/// <param name="Scores">The finite scores, in chunk order.</param>
/// <param name="Chunks">The reference period's chunks (some may have left the subject unscored).</param>
internal sealed record ThresholdCalibration(double[] Scores, int Chunks)
{
    /// <summary>Gets the raise and clear thresholds <paramref name="rule"/> applies with this null distribution.</summary>
    public (double Raise, double Clear, string Source) Apply(AlertRule rule)
    {
        AutoThreshold auto = rule.Auto!;
        string source = auto.Describe(Scores.Length, Chunks);
        if (Scores.Length < AutoThreshold.MinimumChunks)
        {
            return (rule.Threshold, rule.EffectiveClearThreshold, source);
        }

        double raise = auto.Calibrate(Scores);
        if (rule.ClearThreshold is double clear)
        {
            return (Math.Max(raise, clear), clear, source);
        }

        return (raise, raise / 2, source);
    }
}
