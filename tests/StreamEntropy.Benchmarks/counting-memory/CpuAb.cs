using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

namespace StreamEntropy.Benchmarks.CountingMemory;

/// <summary><c>ab OTHER_BUILD_DIR N [ROUNDS]</c>: the <see cref="HitWorkload"/> operations of this build and of another
/// build of this harness (its own Core), in one process, alternately, by CPU time.</summary>
/// <remarks>For a machine too loaded for wall-clock figures: the time slices other processes take do not count, their
/// cache pollution still does. Each sample is one call (2²⁰ updates); every operation is warmed up to its final tier
/// first. Prints best and median CPU ns per update of each build and the ratios (this build / the other).</remarks>
internal static class CpuAb
{
    public static int Run(string otherDirectory, int distinct, int rounds)
    {
        string directory = Path.GetFullPath(otherDirectory);
        Assembly other = new DirectoryLoadContext(directory).LoadFromAssemblyPath(Path.Combine(directory, "CountingHarness.dll"));
        MethodInfo otherBind = other.GetType(typeof(HitWorkload).FullName!, throwOnError: true)!.GetMethod(nameof(HitWorkload.Bind))!;
        foreach (bool zipf in new[] { true, false })
        {
            var builds = new[]
            {
                ((string Name, Func<long> Run)[])otherBind.Invoke(null, [distinct, zipf])!,
                HitWorkload.Bind(distinct, zipf),
            };
            for (int w = 0; w < 8; w++)
            {
                if (w == 4)
                {
                    Thread.Sleep(500); // background tier-1 compilations
                }

                foreach ((string Name, Func<long> Run)[] operations in builds)
                {
                    Array.ForEach(operations, o => o.Run());
                }
            }

            int count = builds[1].Length;
            var samples = new List<double>[2, count];
            for (int r = 0; r < rounds; r++)
            {
                for (int b = 0; b < 2; b++)
                {
                    for (int o = 0; o < count; o++)
                    {
                        TimeSpan before = Environment.CpuUsage.TotalTime;
                        builds[b][o].Run();
                        (samples[b, o] ??= []).Add((Environment.CpuUsage.TotalTime - before).TotalNanoseconds / HitWorkload.Updates);
                    }
                }
            }

            Console.WriteLine(FormattableString.Invariant($"{(zipf ? "Zipf" : "uniform")} order, {distinct} distinct values; CPU ns per update, {rounds} samples of 2^20 each, builds alternated; best / median"));
            for (int o = 0; o < count; o++)
            {
                double[] a = [.. samples[0, o].Order()];
                double[] b = [.. samples[1, o].Order()];
                Console.WriteLine(string.Format(
                    CultureInfo.InvariantCulture,
                    "  {0,-36} other {1,6:0.0} / {2,6:0.0}   this {3,6:0.0} / {4,6:0.0}   this/other {5:0.00} / {6:0.00}",
                    builds[1][o].Name,
                    a[0],
                    a[a.Length / 2],
                    b[0],
                    b[b.Length / 2],
                    b[0] / a[0],
                    b[b.Length / 2] / a[a.Length / 2]));
            }
        }

        return 0;
    }

    // Resolves the other build's own assemblies (its harness and its Core) from its folder; the framework is shared.
    private sealed class DirectoryLoadContext(string directory) : AssemblyLoadContext($"other build: {directory}")
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string path = Path.Combine(directory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
