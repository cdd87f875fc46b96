namespace StreamEntropy.TestSupport;

/// <summary>A <see cref="FactAttribute"/> for a test that drives a system tool: without the tool the test is reported
/// as skipped, with the reason, unless <c>CI=true</c>, where it runs and fails in <see cref="SystemTool.Require"/>.
/// xunit 2 has no dynamic skip, so the decision is made here, at discovery: a missing tool never passes silently.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(string tool)
    {
        Tool = tool;
        Skip = SystemTool.SkipReason(tool);
    }

    /// <summary>Gets the tool's executable name.</summary>
    public string Tool { get; }
}
