using CsCheck;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Tests.Counting;

/// <summary>The per-event <see cref="FrequencySet.Add(ReadOnlySpan{int}, ReadOnlySpan{ulong})"/> path (no budgets)
/// against the general update it stands in for, which <see cref="FrequencySet.Add(ReadOnlySpan{int})"/> still takes.</summary>
public class FrequencySetAddTests
{
    [Fact]
    public void Add_WithoutBudgets_CountsExactlyAsTheGeneralPath()
    {
        var schema = new EventSchema(
            [new FieldDefinition("a", "a"), new FieldDefinition("b", "b"), new FieldDefinition("c", "c")],
            [new PairDefinition("a", "b"), new PairDefinition("b", "c"), new PairDefinition("c", "a")]);

        // Ids from a few to many distinct values (counts past the plain-increment threshold of the tables included),
        // with missing and invalid values mixed in.
        Gen<int> id = Gen.Frequency((6, Gen.Int[0, 5]), (3, Gen.Int[0, 3000]), (1, Gen.Int[EventEncoder.Invalid, EventEncoder.Missing]));
        id.Array[3].Array[1, 3000].Sample(events =>
        {
            var encoder = new EventEncoder(schema); // both sets share its pair interners, as every window does
            var general = new FrequencySet(encoder);
            var perEvent = new FrequencySet(encoder);
            foreach (int[] ids in events)
            {
                general.Add(ids);
                perEvent.Add(ids, default);
            }

            Assert.Equal(general.Events, perEvent.Events);
            for (int f = 0; f < 3; f++)
            {
                AssertSameTable(general.Field(f), perEvent.Field(f));
                Assert.Equal(general.Missing(f), perEvent.Missing(f));
                Assert.Equal(general.Invalid(f), perEvent.Invalid(f));
            }

            for (int p = 0; p < 3; p++)
            {
                AssertSameTable(general.Pair(p).Joint, perEvent.Pair(p).Joint);
                AssertSameTable(general.Pair(p).X, perEvent.Pair(p).X);
                AssertSameTable(general.Pair(p).Y, perEvent.Pair(p).Y);
            }
        }, iter: 300);
    }

    private static void AssertSameTable(Core.Counting.CountTable expected, Core.Counting.CountTable actual)
    {
        // Bit for bit: the same updates in the same order.
        TableAssertions.AssertSameBits(expected, actual);
    }
}
