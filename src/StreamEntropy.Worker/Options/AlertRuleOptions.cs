using System.Globalization;

namespace StreamEntropy.Worker.Options;

/// <summary>One alert rule: raise when a drift metric crosses a threshold for some consecutive windows.</summary>
public sealed class AlertRuleOptions
{
    /// <summary>Gets or sets the rule's name (unique).</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the metric: js, psi, kl, tv, entropyChangeSe, gTestLog10P, miChange, conditionalEntropyChange, jointJs, jointPsi, jointGTestLog10P.</summary>
    public string Metric { get; set; } = "";

    /// <summary>Gets the raise threshold (absolute value of the metric; information in nats), as a number. Configuration
    /// sets it through <see cref="ThresholdSetting"/>, which also takes "auto"; code may set it directly.</summary>
    public double Threshold { get; internal set; }

    /// <summary>Gets or sets the raise threshold as configured (key <c>Threshold</c>): a number, or <c>"auto"</c> to
    /// calibrate it per field or pair from the reference (mean + <see cref="AutoK"/>·σ of the reference chunks scored
    /// against the rest). Unset, <see cref="Threshold"/> applies.</summary>
    [ConfigurationKeyName("Threshold")]
    public string? ThresholdSetting { get; set; }

    /// <summary>Gets or sets k of an auto threshold (mean + k·σ of the null distribution), 0 to 100. The default (unset) is 3.</summary>
    public double? AutoK { get; set; }

    /// <summary>Gets or sets how many consecutive windows must cross the threshold. The default is 2.</summary>
    public int RaiseAfter { get; set; } = 2;

    /// <summary>Gets or sets the clear threshold (hysteresis); the default is half the threshold.</summary>
    public double? ClearThreshold { get; set; }

    /// <summary>Gets or sets how many consecutive windows must be below the clear threshold. The default is 2.</summary>
    public int ClearAfter { get; set; } = 2;

    /// <summary>Gets or sets a field name or pair key (x,y) the rule is limited to.</summary>
    public string? Subject { get; set; }

    /// <summary>Gets or sets a window name the rule is limited to.</summary>
    public string? Window { get; set; }

    /// <summary>Gets or sets a minimum G-test significance (−log10 p) required on top of the threshold.</summary>
    public double? MinimumSignificance { get; set; }

    /// <summary>Gets or sets the false-discovery rate q in (0, 1) at which the significance gate is corrected for all
    /// the subjects scored at one window close (Benjamini–Hochberg); 0 for no correction. The default (unset) is 0.05.</summary>
    public double? FalseDiscoveryRate { get; set; }

    /// <summary>Gets whether the threshold is configured as "auto".</summary>
    internal bool IsAuto => string.Equals(ThresholdSetting?.Trim(), "auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the configured threshold as a number, the way the configuration binder reads one; NaN for "auto"
    /// or text that is not a number.</summary>
    internal double ThresholdNumber =>
        string.IsNullOrWhiteSpace(ThresholdSetting) ? Threshold
        : double.TryParse(ThresholdSetting, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out double value) ? value
        : double.NaN;
}
