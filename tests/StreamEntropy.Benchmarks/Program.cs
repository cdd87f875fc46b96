using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StreamEntropy.Benchmarks;

/// <summary>Runs the benchmarks chosen on the command line (see results/README.md for the commands used).</summary>
/// <remarks>BenchmarkDotNet reports a crashed or failed benchmark in its summary but still returns normally, so the
/// summaries are checked here and any failure turns into a non-zero exit code that CI can see.</remarks>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["--cpu-ab", .. string[] rest])
        {
            return CpuTimeAb.Run(rest); // not BenchmarkDotNet: see CpuTimeAb
        }

        Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args)];
        if (summaries.Length == 0)
        {
            // --list, --help, --info and --version run nothing; a filter that matches nothing is a mistake.
            bool informational = args.Any(a => a is "--list" or "--help" or "-h" or "-?" or "--info" or "--version");
            if (!informational)
            {
                Console.Error.WriteLine("error: no benchmark was run (does the --filter match anything?).");
                return 1;
            }

            return 0;
        }

        var failures = new List<string>();
        foreach (Summary summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                failures.Add($"{summary.Title}: critical validation errors");
            }

            foreach (BenchmarkCase benchmark in summary.BenchmarksCases)
            {
                BenchmarkReport? report = summary[benchmark];
                if (report is null || !report.Success || report.ResultStatistics is null)
                {
                    failures.Add($"{summary.Title}: {benchmark.DisplayInfo} failed or produced no result");
                }
            }
        }

        foreach (string failure in failures)
        {
            Console.Error.WriteLine($"error: {failure}");
        }

        return failures.Count == 0 ? 0 : 1;
    }
}
