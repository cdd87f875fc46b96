using System.Text;

namespace StreamEntropy.Worker.Tests.Support;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("stream-entropy-worker-tests-").FullName;

    public string Path { get; }

    /// <summary>Gets the full path of <paramref name="name"/> in this directory (the file need not exist).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="content"/> as UTF-8 without a byte order mark, with \n line ends as given.</summary>
    public string Write(string name, string content)
    {
        string path = File(name);
        System.IO.File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    /// <summary>Writes the lines, each followed by \n.</summary>
    public string WriteLines(string name, IEnumerable<string> lines)
    {
        string path = File(name);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        foreach (string line in lines)
        {
            writer.WriteLine(line);
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover temp directory is harmless
        }
    }
}
