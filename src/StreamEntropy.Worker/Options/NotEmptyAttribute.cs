namespace StreamEntropy.Worker.Options;

/// <summary>The setting must be a non-blank string.</summary>
internal sealed class NotEmptyAttribute : SettingAttribute
{
    protected override string? Check(object? value) => string.IsNullOrWhiteSpace(value as string) ? "is empty." : null;
}
