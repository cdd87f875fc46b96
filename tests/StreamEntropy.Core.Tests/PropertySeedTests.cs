using System.Text.RegularExpressions;
using CsCheck;

namespace StreamEntropy.Core.Tests;

/// <summary>What every property test relies on (tests/README.md, "Property tests"): a CsCheck failure prints its
/// seed, and that seed (also given as the environment variable <c>CsCheck_Seed</c>) replays the same failing case.</summary>
public sealed partial class PropertySeedTests
{
    [Fact]
    public void Sample_Failure_PrintsASeedThatReplaysTheSameCase()
    {
        var failing = new List<int>();
        void Property(int i)
        {
            if (i >= 900)
            {
                lock (failing)
                {
                    failing.Add(i);
                }

                throw new InvalidOperationException($"i = {i}");
            }
        }

        var first = Assert.Throws<CsCheckException>(() => Gen.Int[0, 1000].Sample(Property, iter: 10_000, threads: 1));
        Match seed = SeedText().Match(first.Message);
        Assert.True(seed.Success, $"no seed in: {first.Message}");
        Assert.Contains("CsCheck_Seed=" + seed.Groups[1].Value, first.Message, StringComparison.Ordinal);

        var replay = Assert.Throws<CsCheckException>(() => Gen.Int[0, 1000].Sample(Property, iter: 1, threads: 1, seed: seed.Groups[1].Value));

        Assert.Contains(seed.Groups[1].Value, replay.Message, StringComparison.Ordinal);
        Assert.Equal(first.InnerException?.Message, replay.InnerException?.Message); // the same shrunk value fails again
    }

    [GeneratedRegex("Set seed: \"([0-9A-Za-z_-]+)\"")]
    private static partial Regex SeedText();
}
