namespace StreamEntropy.Streaming.Output;

/// <summary>One output record: its key (<c>window/field</c> or <c>window/x,y</c>) and its UTF-8 JSON value.</summary>
public readonly record struct OutputRecord(string Key, byte[] Json);
