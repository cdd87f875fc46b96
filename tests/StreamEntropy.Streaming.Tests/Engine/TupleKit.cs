using System.Globalization;
using System.Text;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Tests.Engine;

/// <summary>Events of country, device, a binned amount and a label, a schema with tuples of them, and a recount of the
/// tuple pairs straight from the events' values.</summary>
internal static class TupleKit
{
    /// <summary>Fields country, device, amount (bins of 10), label; tuples country+device and country+amount; pairs
    /// (country+device, label), (country+amount, label) and (country, label).</summary>
    public static EventSchema Schema(int deviceBudget = 0) => new(
        [
            new FieldDefinition("country", "user.country"),
            new FieldDefinition("device", "device", MaxDistinct: deviceBudget),
            new FieldDefinition("amount", "amount", 10),
            new FieldDefinition("label", "label"),
            FieldDefinition.Tuple(["country", "device"]),
            FieldDefinition.Tuple(["country", "amount"]),
        ],
        [new PairDefinition("country+device", "label"), new PairDefinition("country+amount", "label"), new PairDefinition("country", "label")]);

    /// <summary>One event's values: null is missing; an amount of NaN is written as the text "n/a" (invalid).</summary>
    public sealed record Row(string? Country, string? Device, double? Amount, string? Label)
    {
        public byte[] Json()
        {
            var json = new StringBuilder("{");
            if (Country is not null)
            {
                json.Append("\"user\":{\"country\":").Append(Quote(Country)).Append("},");
            }

            if (Device is not null)
            {
                json.Append("\"device\":").Append(Quote(Device)).Append(',');
            }

            if (Amount is double a)
            {
                json.Append("\"amount\":").Append(double.IsNaN(a) ? "\"n/a\"" : a.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            }

            if (Label is not null)
            {
                json.Append("\"label\":").Append(Quote(Label)).Append(',');
            }

            json.Append("\"pad\":0}");
            return Encoding.UTF8.GetBytes(json.ToString());
        }

        private static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);
    }

    /// <summary>Random rows; values chosen so that a naive join with ',' or '+' would collide (<c>a,b</c> + <c>c</c> and
    /// <c>a</c> + <c>b,c</c>), and the label depends on country and device together.</summary>
    public static Row[] Rows(int count, int seed, int devices = 4)
    {
        var random = new Random(seed);
        string[] countries = ["a", "a,b", "DE", "\"q\"", "é"];
        var rows = new Row[count];
        for (int i = 0; i < count; i++)
        {
            int c = random.Next(countries.Length);
            int d = random.Next(devices);
            string? country = random.Next(12) == 0 ? null : countries[c];
            string? device = random.Next(12) == 0 ? null : d switch { 0 => "b,c", 1 => "c", _ => "d" + d };
            double? amount = random.Next(10) switch { 0 => null, 1 => double.NaN, _ => random.Next(0, 60) * 1.5 };
            string? label = random.Next(20) == 0 ? null : ((c + d + (random.Next(5) == 0 ? 1 : 0)) % 3).ToString(CultureInfo.InvariantCulture);
            rows[i] = new Row(country, device, amount, label);
        }

        return rows;
    }

    /// <summary>The plug-in H(X), H(Y), H(X,Y) in nats of a tuple X and the label over the rows where both have a value.</summary>
    public static (double X, double Y, double Joint, long Count) Recount<TKey>(IEnumerable<Row> rows, Func<Row, TKey?> tuple)
        where TKey : struct
    {
        var pairs = rows.Where(r => tuple(r) is not null && r.Label is not null).Select(r => (X: tuple(r)!.Value, Y: r.Label!)).ToList();
        return (
            TestSupport.Naive.PlugIn(TestSupport.Naive.Count(pairs.Select(p => p.X)).Values),
            TestSupport.Naive.PlugIn(TestSupport.Naive.Count(pairs.Select(p => p.Y)).Values),
            TestSupport.Naive.PlugIn(TestSupport.Naive.Count(pairs).Values),
            pairs.Count);
    }

    /// <summary>(country, device) when both are present.</summary>
    public static (string, string)? CountryDevice(Row r) => r.Country is not null && r.Device is not null ? (r.Country, r.Device) : null;

    /// <summary>(country, amount bin) when both are present and the amount is a number.</summary>
    public static (string, long)? CountryAmount(Row r) =>
        r.Country is not null && r.Amount is double a && !double.IsNaN(a) ? (r.Country, (long)Math.Floor(a / 10)) : null;
}
