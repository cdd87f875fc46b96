namespace StreamEntropy.Streaming.Profiling;

/// <summary>Progress of the parts of a file counted in parallel: each part's position, summed when part 0 reports.</summary>
internal sealed class PartProgress(IProgress<long>? progress, int parts)
{
    private readonly long[] _positions = new long[parts];

    public void Report(int part, long position)
    {
        Volatile.Write(ref _positions[part], position);
        if (part == 0 && progress is not null)
        {
            long sum = 0;
            for (int k = 0; k < _positions.Length; k++)
            {
                sum += Volatile.Read(ref _positions[k]);
            }

            progress.Report(sum);
        }
    }
}
