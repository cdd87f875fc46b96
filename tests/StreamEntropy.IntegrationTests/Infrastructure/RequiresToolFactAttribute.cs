namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>
/// A <see cref="FactAttribute"/> for tests that drive a system tool. Without the tool the test is
/// reported as skipped, with the reason, unless <c>CI=true</c>: then it runs and fails in
/// <see cref="ExternalTool.Require"/>. xunit 2 has no dynamic skip, so the decision is made here,
/// at discovery, which also keeps a skipped test from ever passing silently.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(string tool)
    {
        Tool = tool;
        if (!ExternalTool.IsCi && ExternalTool.Find(tool) is null)
        {
            Skip = $"'{tool}' is not on PATH (install it, e.g. apt-get install -y {tool}); under CI=true this test fails instead.";
        }
    }

    /// <summary>Gets the tool's executable name.</summary>
    public string Tool { get; }
}
