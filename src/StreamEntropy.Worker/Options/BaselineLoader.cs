using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Worker.Options;

/// <summary>Reads a baseline file once per path and hands out the same <see cref="Baseline"/> after that: the host
/// validates the configuration and builds its pipeline from one reading of the file. Thread-safe.</summary>
internal sealed class BaselineLoader
{
    private readonly Func<string, Baseline> _read;
    private readonly Dictionary<string, Baseline> _loaded = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Creates a loader that reads files with <see cref="Baseline.Load(string)"/>.</summary>
    public BaselineLoader()
        : this(Baseline.Load)
    {
    }

    /// <summary>Creates a loader that reads files with <paramref name="read"/>.</summary>
    public BaselineLoader(Func<string, Baseline> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _read = read;
    }

    /// <summary>The baseline in <paramref name="path"/>, read on the first call for that path. A failed read is not
    /// remembered.</summary>
    /// <exception cref="InvalidDataException">The file is not a baseline.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public Baseline Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_lock)
        {
            if (!_loaded.TryGetValue(path, out Baseline? baseline))
            {
                baseline = _read(path);
                _loaded.Add(path, baseline);
            }

            return baseline;
        }
    }
}
