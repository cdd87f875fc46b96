using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Tests.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Partials;

/// <summary>Scale-out with MaxDistinct: partitions' bounded counts travel as serialised summaries and merge with a
/// bracket that still contains the exact plug-in value of all events.</summary>
public class BoundedPartialTests
{
    [Theory]
    [InlineData(0.8, 3)]
    [InlineData(1.2, 4)]
    public void Merge_BoundedShards_BracketsContainExactValuesOfAllEvents(double exponent, int partitions)
    {
        (byte[] Json, long T)[] events = BudgetTestKit.TwoPhases(exponent, values: 5000, heavy: 20_000, light: 2_000, seed: 17);
        EntropyEngine whole = BudgetTestKit.CreateEngine(idBudget: 0);
        var parts = new EntropyEngine[partitions];
        for (int p = 0; p < partitions; p++)
        {
            parts[p] = BudgetTestKit.CreateEngine(idBudget: 200);
            parts[p].CapturePartials("in", p);
        }

        var random = new Random(5);
        foreach ((byte[] json, long t) in events)
        {
            whole.Process(json, t);
            parts[random.Next(partitions)].Process(json, t);
        }

        var expected = new List<WindowSnapshot>(whole.TakeClosed());
        expected.AddRange(whole.Snapshot());
        var merger = new PartialMerger(BudgetTestKit.Schema(200), EntropyEstimator.MaximumLikelihood, BudgetTestKit.CountedWindows, instancesKept: 100);
        foreach (EntropyEngine part in parts)
        {
            _ = part.Snapshot();
            foreach (SubjectPartial partial in part.TakePartials())
            {
                merger.Accept(PartialCodec.Read(PartialCodec.Write(partial)), 0); // through the wire format
            }
        }

        var merged = merger.TakeChanged().ToDictionary(s => (s.Window, s.Start, s.Fields.Count > 0 ? s.Fields[0].Name : s.Pairs[0].Key));
        int inexact = 0;
        foreach (WindowSnapshot w in expected.Where(w => w.Events > 0 && !(w.Kind == WindowKind.Sliding && w.Closed)))
        {
            WindowSnapshot first = merged[(w.Window, w.Start, w.Fields[0].Name)];
            WindowSnapshot combined = w with
            {
                Closed = first.Closed,
                Events = first.Events,
                Fields = [.. w.Fields.Select(f => Assert.Single(merged[(w.Window, w.Start, f.Name)].Fields))],
                Pairs = [.. w.Pairs.Select(p => Assert.Single(merged[(w.Window, w.Start, p.Key)].Pairs))],
            };
            Assert.Equal(w.Closed, combined.Closed);
            Assert.Equal(w.Events, combined.Events);
            inexact += BudgetTestKit.AssertAgrees(w, combined);
        }

        Assert.True(inexact > 0, "no window went over its budget: the bounded merge was not exercised");
    }

    [Fact]
    public void Accept_PartialCountedWithAnotherBudget_Throws()
    {
        EntropyEngine part = BudgetTestKit.CreateEngine(idBudget: 200, [new WindowDefinition("all", WindowKind.Cumulative)]);
        part.CapturePartials("in", 0);
        part.Process(BudgetTestKit.Event("DE", "u1"), 1);
        _ = part.Snapshot();
        SubjectPartial id = part.TakePartials().Single(p => p.Field?.Name == "id");
        var merger = new PartialMerger(BudgetTestKit.Schema(100), EntropyEstimator.MaximumLikelihood);
        Assert.Contains("MaxDistinct 200", Assert.Throws<InvalidDataException>(() => merger.Accept(id, 0)).Message);
    }

    [Fact]
    public void Read_CorruptSummary_ThrowsInvalidData()
    {
        EntropyEngine part = BudgetTestKit.CreateEngine(idBudget: 200, [new WindowDefinition("all", WindowKind.Cumulative)]);
        part.CapturePartials("in", 0);
        part.Process(BudgetTestKit.Event("DE", "u1"), 1);
        _ = part.Snapshot();
        SubjectPartial id = part.TakePartials().Single(p => p.Field?.Name == "id");
        byte[] summary = [.. id.Field!.Summary!];
        summary[0] = 77; // an unknown mode
        byte[] bytes = PartialCodec.Write(id with { Field = id.Field with { Summary = summary } });
        Assert.Throws<InvalidDataException>(() => PartialCodec.Read(bytes));
    }
}
