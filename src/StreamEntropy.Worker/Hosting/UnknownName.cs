namespace StreamEntropy.Worker.Hosting;

/// <summary>The body of a 404 for a query that names an unknown window or field: what was wrong, and what exists.</summary>
/// <param name="Error">For example <c>unknown window '5m'</c>.</param>
/// <param name="Known">The configured names the query could use.</param>
internal sealed record UnknownName(string Error, IReadOnlyList<string> Known);
