using StreamEntropy.Streaming.State;

namespace StreamEntropy.Streaming.Tests.State;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("atomic-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_NewFile_HoldsTheBytesAndNoTemporaryFileRemains()
    {
        string path = Path.Combine(_dir, "a.bin");

        AtomicFile.Write(path, s => s.Write([1, 2, 3]));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Write_ExistingFile_ReplacesItWhole()
    {
        string path = Path.Combine(_dir, "a.bin");
        File.WriteAllBytes(path, new byte[1000]);

        AtomicFile.Write(path, s => s.Write([7]));

        Assert.Equal([7], File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_CrashBeforeRename_LeavesThePreviousFileAndTheCompleteTemporaryFile()
    {
        string path = Path.Combine(_dir, "a.bin");
        AtomicFile.Write(path, s => s.Write([1]));

        Assert.Throws<IOException>(() => AtomicFile.Write(path, s => s.Write([2, 2]), () => throw new IOException("simulated crash")));

        Assert.Equal([1], File.ReadAllBytes(path));
        Assert.Equal([2, 2], File.ReadAllBytes(path + ".tmp"));
        AtomicFile.Write(path, s => s.Write([3])); // the next write replaces the leftover
        Assert.Equal([3], File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Write_WriterFails_LeavesThePreviousFile()
    {
        string path = Path.Combine(_dir, "a.bin");
        AtomicFile.Write(path, s => s.Write([1]));

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write([9, 9]);
            throw new InvalidOperationException("no more");
        }));

        Assert.Equal([1], File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_RelativePath_WritesIntoTheCurrentDirectory()
    {
        string name = $"atomic-file-{Guid.NewGuid():N}.bin";
        try
        {
            AtomicFile.Write(name, s => s.Write([5]));
            Assert.Equal([5], File.ReadAllBytes(Path.Combine(Environment.CurrentDirectory, name)));
        }
        finally
        {
            File.Delete(name);
        }
    }

    [Fact]
    public void SyncDirectory_OnLinux_FlushesAnExistingDirectoryAndReportsAMissingOne()
    {
        Assert.Equal(OperatingSystem.IsLinux(), AtomicFile.SyncDirectory(_dir));
        Assert.False(AtomicFile.SyncDirectory(Path.Combine(_dir, "missing")));
    }
}
