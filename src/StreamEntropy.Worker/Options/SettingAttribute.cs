using System.ComponentModel.DataAnnotations;

namespace StreamEntropy.Worker.Options;

/// <summary>A rule on one setting whose failure is a plain line naming the configuration key (<c>StreamEntropy:Kafka:GroupId
/// is empty.</c>), as every other configuration problem is, rather than DataAnnotations' "The field … must …".</summary>
/// <remarks>The source-generated <see cref="StreamEntropyOptionsAttributeValidator"/> runs these; it names each member
/// <c>Section.Member</c>, <c>Section.List[i].Member</c>, which <see cref="Key"/> turns into the key.</remarks>
[AttributeUsage(AttributeTargets.Property)]
internal abstract class SettingAttribute : ValidationAttribute
{
    /// <summary>The configuration key of a member named by the generated validator (<c>StreamEntropy.Fields[1].MaxDistinct</c>
    /// becomes <c>StreamEntropy:Fields:1:MaxDistinct</c>).</summary>
    public static string Key(string displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        return displayName.Replace('.', ':').Replace("[", ":", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal);
    }

    /// <summary>What is wrong with <paramref name="value"/>, to follow the key (<c>is empty.</c>); null when it is valid.</summary>
    protected abstract string? Check(object? value);

    protected sealed override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        return Check(value) is { } problem ? new ValidationResult($"{Key(validationContext.DisplayName)} {problem}") : ValidationResult.Success;
    }
}
