namespace StreamEntropy.Streaming.Decoding;

/// <summary>Why <see cref="JsonEventDecoder.Decode"/> rejected an event.</summary>
public enum DecodeError
{
    /// <summary>The event was decoded.</summary>
    None,

    /// <summary>The event is not valid UTF-8, or a string escapes a lone UTF-16 surrogate (<c>"\uD800"</c>).</summary>
    InvalidUtf8,

    /// <summary>The event is not one well-formed JSON value (empty, whitespace only, syntax error, trailing content).</summary>
    InvalidJson,

    /// <summary>The event is well-formed JSON but its top-level value is not an object.</summary>
    NotAnObject,

    /// <summary>Objects and arrays are nested deeper than the configured maximum depth.</summary>
    TooDeep,

    /// <summary>The event is longer than the configured maximum number of bytes.</summary>
    TooLarge,
}
