using System.Reflection;
using System.Runtime.Loader;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Benchmarks.CountingMemory;

/// <summary><c>readers OTHER_BUILD_DIR N [ROUNDS]</c>: the loops that read <see cref="CountTable.Counts"/> id by id
/// (<c>Divergences.Compute</c>, <c>GTest.Homogeneity</c>) and <see cref="CountTable.RecomputeFromCounts"/>, of this
/// build's Core and of the Core in another build's folder, in one process, alternately, by CPU time.</summary>
/// <remarks>Both builds are called through reflection (the same cost for both, small against an O(N) loop), so this file
/// compiles against any Core that has these methods. Two tables of N values with Zipf-like counts, the second with the
/// counts in reverse order of id; the results of the two builds are compared bit for bit first. Prints best and median
/// CPU ns per id of each build and the ratios (this build / the other).</remarks>
internal static class ReaderAb
{
    private static readonly string[] Names = ["Divergences.Compute", "GTest.Homogeneity", "RecomputeFromCounts"];

    public static int Run(string otherDirectory, int distinct, int rounds)
    {
        string path = Path.Combine(Path.GetFullPath(otherDirectory), "StreamEntropy.Core.dll");
        Func<double>[][] builds =
        [
            Bind(new AssemblyLoadContext("other build's Core").LoadFromAssemblyPath(path), distinct),
            Bind(typeof(CountTable).Assembly, distinct),
        ];
        for (int w = 0; w < 40; w++)
        {
            if (w == 30)
            {
                Thread.Sleep(500); // background tier-1 compilations
            }

            Array.ForEach(builds, calls => Array.ForEach(calls, call => call()));
        }

        for (int o = 0; o < Names.Length; o++)
        {
            if (BitConverter.DoubleToInt64Bits(builds[0][o]()) != BitConverter.DoubleToInt64Bits(builds[1][o]()))
            {
                Console.WriteLine($"{Names[o]}: the builds' results differ");
            }
        }

        int calls = Math.Max(1, 20_000_000 / distinct);
        var samples = new List<double>[2, Names.Length];
        for (int r = 0; r < rounds; r++)
        {
            for (int b = 0; b < 2; b++)
            {
                for (int o = 0; o < Names.Length; o++)
                {
                    TimeSpan before = Environment.CpuUsage.TotalTime;
                    for (int i = 0; i < calls; i++)
                    {
                        builds[b][o]();
                    }

                    (samples[b, o] ??= []).Add((Environment.CpuUsage.TotalTime - before).TotalNanoseconds / calls / distinct);
                }
            }
        }

        Console.WriteLine(FormattableString.Invariant($"readers, {distinct} distinct values; CPU ns per id, {rounds} samples of {calls} calls each, builds alternated; best / median"));
        for (int o = 0; o < Names.Length; o++)
        {
            double[] a = [.. samples[0, o].Order()];
            double[] b = [.. samples[1, o].Order()];
            int m = rounds / 2; // the median sample
            Console.WriteLine(FormattableString.Invariant($"  {Names[o],-22} other {a[0],6:0.00} / {a[m],6:0.00}   this {b[0],6:0.00} / {b[m],6:0.00}   this/other {b[0] / a[0]:0.00} / {b[m] / a[m]:0.00}"));
        }

        return 0;
    }

    // The three calls of one build's Core on its own two tables.
    private static Func<double>[] Bind(Assembly core, int distinct)
    {
        Type table = core.GetType("StreamEntropy.Core.Counting.CountTable", throwOnError: true)!;
        MethodInfo add = table.GetMethod("Add", [typeof(int), typeof(long)])!;
        object current = Activator.CreateInstance(table, [distinct])!;
        object reference = Activator.CreateInstance(table, [distinct])!;
        for (int id = 0; id < distinct; id++)
        {
            long count = 1 + (long)(3.0 * distinct / (id + 1) / Math.Log(distinct + 1));
            add.Invoke(current, [id, count]);
            add.Invoke(reference, [distinct - 1 - id, count]);
        }

        MethodInfo divergences = core.GetType("StreamEntropy.Core.Estimation.Divergences", throwOnError: true)!.GetMethod("Compute")!;
        MethodInfo gTest = core.GetType("StreamEntropy.Core.Estimation.GTest", throwOnError: true)!.GetMethod("Homogeneity")!;
        MethodInfo recompute = table.GetMethod("RecomputeFromCounts")!;
        PropertyInfo jensenShannon = divergences.ReturnType.GetProperty("JensenShannon")!;
        PropertyInfo statistic = gTest.ReturnType.GetProperty("Statistic")!;
        return
        [
            () => (double)jensenShannon.GetValue(divergences.Invoke(null, [current, reference, 1e-4]))!,
            () => (double)statistic.GetValue(gTest.Invoke(null, [current, reference]))!,
            () => ((ValueTuple<long, int, double, double>)recompute.Invoke(current, null)!).Item3,
        ];
    }
}
