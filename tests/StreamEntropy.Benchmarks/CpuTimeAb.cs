using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

namespace StreamEntropy.Benchmarks;

/// <summary>An A/B of <see cref="DecodeCountBenchmarks"/> by CPU time, for a machine too loaded for wall-clock figures:
/// <c>--cpu-ab OTHER_BUILD_DIR [ROUNDS]</c>.</summary>
/// <remarks>Loads the other build's benchmark assembly (a folder such as <c>bin/Release/net10.0</c> of an older
/// checkout) into a load context of its own next to this build's, runs both setups, warms both up, then times
/// <c>DecodeOnly</c>, <c>DecodeAndEncode</c>, <c>DecodeAndCount</c> and <c>DecodeAndCountBatch</c> of the two builds alternately, each sample 5 calls
/// (5 × 65 536 events), by the process's CPU time (<see cref="Environment.CpuUsage"/>, microseconds) instead of wall
/// time: time slices lost to other processes do not count, their cache pollution still does. Prints best and median
/// CPU ns per event of each build and the ratios (this build / the other).</remarks>
internal static class CpuTimeAb
{
    private const int CallsPerSample = 5;

    // DecodeAndCountBatch is new: a build without it times it as DecodeAndCount (the same events, one at a time), so
    // its line compares the batch path with the other build's per-event path.
    private static readonly string[] Methods = ["DecodeOnly", "DecodeAndEncode", "DecodeAndCount", "DecodeAndCountBatch"];

    public static int Run(string[] args)
    {
        if (args.Length is < 1 or > 2 || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: --cpu-ab OTHER_BUILD_DIR [ROUNDS]");
            return 2;
        }

        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        var builds = new[]
        {
            ("other", Bind(new DirectoryLoadContext(args[0]).LoadFromAssemblyPath(Path.Combine(Path.GetFullPath(args[0]), "StreamEntropy.Benchmarks.dll")))),
            ("this", Bind(typeof(DecodeCountBenchmarks).Assembly)),
        };

        // Warm-up: every method reaches its final tier, with a pause for the background compilations.
        for (int w = 0; w < 60; w++)
        {
            if (w == 40)
            {
                Thread.Sleep(500);
            }

            foreach ((_, Func<long>[] calls) in builds)
            {
                Array.ForEach(calls, call => call());
            }
        }

        var samples = new List<double>[builds.Length, Methods.Length];
        for (int r = 0; r < rounds; r++)
        {
            for (int b = 0; b < builds.Length; b++)
            {
                for (int m = 0; m < Methods.Length; m++)
                {
                    Func<long> call = builds[b].Item2[m];
                    TimeSpan before = Environment.CpuUsage.TotalTime;
                    for (int k = 0; k < CallsPerSample; k++)
                    {
                        call();
                    }

                    double ns = (Environment.CpuUsage.TotalTime - before).TotalNanoseconds / (CallsPerSample * 65_536.0);
                    (samples[b, m] ??= []).Add(ns);
                }
            }
        }

        Console.WriteLine(FormattableString.Invariant($"CPU ns per event, {rounds} rounds of {CallsPerSample} × 65 536 events, builds alternated; best / median"));
        for (int m = 0; m < Methods.Length; m++)
        {
            double[] other = [.. samples[0, m].Order()];
            double[] current = [.. samples[1, m].Order()];
            Console.WriteLine(FormattableString.Invariant(
                $"{Methods[m],-16} other {other[0],6:0.0} / {other[other.Length / 2],6:0.0}   this {current[0],6:0.0} / {current[current.Length / 2],6:0.0}   this/other {current[0] / other[0]:0.00} / {current[current.Length / 2] / other[other.Length / 2]:0.00}"));
        }

        return 0;
    }

    // The methods of a set-up DecodeCountBenchmarks of that assembly; one the build lacks is its DecodeAndCount.
    private static Func<long>[] Bind(Assembly assembly)
    {
        Type type = assembly.GetType(typeof(DecodeCountBenchmarks).FullName!, throwOnError: true)!;
        object instance = Activator.CreateInstance(type)!;
        type.GetMethod(nameof(DecodeCountBenchmarks.Setup))!.Invoke(instance, null);
        return [.. Methods.Select(m => (type.GetMethod(m) ?? type.GetMethod(nameof(DecodeCountBenchmarks.DecodeAndCount)))!.CreateDelegate<Func<long>>(instance))];
    }

    // Resolves every assembly the other build ships from its folder (its own Core and Streaming above all); the shared
    // framework comes from the default context.
    private sealed class DirectoryLoadContext(string directory) : AssemblyLoadContext($"other build: {directory}")
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string path = Path.Combine(Path.GetFullPath(directory), assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
