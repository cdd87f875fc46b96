using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Worker.Options;

/// <summary>A MaxDistinct budget, by the schema's own rule (<see cref="EventSchema.ValidateMaxDistinct"/>); unset passes.</summary>
internal sealed class MaxDistinctAttribute : SettingAttribute
{
    protected override string? Check(object? value) => value is int budget ? EventSchema.ValidateMaxDistinct(budget) : null;
}
