namespace StreamEntropy.TestSupport;

/// <summary>The <see cref="TheoryAttribute"/> counterpart of <see cref="RequiresToolFactAttribute"/>: every case is
/// skipped without the tool, unless <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresToolTheoryAttribute : TheoryAttribute
{
    public RequiresToolTheoryAttribute(string tool)
    {
        Tool = tool;
        Skip = SystemTool.SkipReason(tool);
    }

    /// <summary>Gets the tool's executable name.</summary>
    public string Tool { get; }
}
