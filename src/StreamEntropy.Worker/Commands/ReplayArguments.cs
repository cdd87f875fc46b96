namespace StreamEntropy.Worker.Commands;

/// <summary>The arguments of <c>stream-entropy replay</c>.</summary>
internal sealed record ReplayArguments(
    string File,
    string Config,
    IReadOnlyList<string> Injections,
    string? TimeColumn,
    double Rate,
    string Format,
    int Seed,
    string? Delimiter = null);
