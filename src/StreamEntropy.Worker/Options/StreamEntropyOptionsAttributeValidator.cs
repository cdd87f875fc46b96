using Microsoft.Extensions.Options;

namespace StreamEntropy.Worker.Options;

/// <summary>The per-setting rules of <see cref="StreamEntropyOptions"/>, written as attributes on the options and run by
/// source-generated code; <see cref="StreamEntropyOptionsValidator"/> adds the rules that involve several settings.</summary>
/// <remarks>Call it with <see cref="StreamEntropyOptions.SectionName"/> as the name: the generated code names every
/// member after it, which <see cref="SettingAttribute"/> turns into the configuration key.</remarks>
[OptionsValidator]
internal sealed partial class StreamEntropyOptionsAttributeValidator : IValidateOptions<StreamEntropyOptions>
{
}
