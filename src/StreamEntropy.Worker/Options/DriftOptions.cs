using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Worker.Options;

/// <summary>Drift scoring of closed windows against a reference, and alert rules (<c>StreamEntropy:Drift</c>).</summary>
public sealed class DriftOptions
{
    /// <summary>Gets or sets a value indicating whether closed tumbling and sliding windows are scored. The default is true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets a baseline file written by <c>profile --save-baseline</c>; when unset, each window's first
    /// complete window is its reference.</summary>
    public string? Baseline { get; set; }

    /// <summary>Gets the alert rules; when empty, the built-in defaults (field-psi, pair-mi) apply.</summary>
    public List<AlertRuleOptions> Rules { get; set; } = [];

    /// <summary>Gets or sets how many values of X that moved H(Y|X) most are reported per pair and closed window
    /// (from H(Y|X) = Σ p(x) H(Y|X=x)); 0 turns it off. The default is 3.</summary>
    public int TopDrivers { get; set; } = 3;

    /// <summary>Gets or sets the fewest events a complete closed window needs to become a window's reference when no
    /// baseline file is given (1 to 10⁹). The default is 1 000: fewer cannot pass the default rules' G-test gate.</summary>
    public long MinimumReferenceEvents { get; set; } = 1_000;

    /// <summary>Gets or sets how many complete, non-overlapping windows make each window's reference period when a rule
    /// has <c>Threshold: "auto"</c> (4 to 100): the thresholds are calibrated from them, and their sum is the reference.
    /// The default is 10.</summary>
    public int AutoReferenceWindows { get; set; } = DriftScoring.DefaultAutoReferenceWindows;

    /// <summary>Gets or sets a value indicating whether references and alert states saved in the checkpoint (or, in
    /// Group mode, in the state topic) are discarded at start, so that references are captured afresh. The default is false.</summary>
    public bool RecaptureOnStart { get; set; }
}
