using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Worker.Telemetry;

/// <summary>One point of a field's or pair's history, in nats.</summary>
/// <param name="Time">When it was published.</param>
/// <param name="Entropy">H(X) for a field, H(X,Y) for a pair.</param>
/// <param name="StandardError">Its plug-in standard error.</param>
/// <param name="Count">Values counted.</param>
/// <param name="ConditionalYGivenX">Pairs only: H(Y|X).</param>
/// <param name="ConditionalXGivenY">Pairs only: H(X|Y).</param>
/// <param name="MutualInformation">Pairs only: I(X;Y).</param>
internal readonly record struct HistoryPoint(
    DateTimeOffset Time,
    double Entropy,
    double StandardError,
    long Count,
    double ConditionalYGivenX = double.NaN,
    double ConditionalXGivenY = double.NaN,
    double MutualInformation = double.NaN);

/// <summary>The recent values of every (window, field or pair), for charts: a bounded ring per key.</summary>
/// <remarks>Fed from the pipeline's publications (on the consume thread) once something calls <see cref="Follow"/>; read
/// by HTTP requests, which get a copy taken under the lock.</remarks>
internal sealed class SnapshotHistory
{
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly List<string> _order = []; // keys in the order first published: configured windows, then fields and pairs

    public SnapshotHistory(int capacity = 720) => _capacity = capacity;

    /// <summary>Records every publication of <paramref name="publications"/> until the returned subscription is disposed.</summary>
    public IDisposable Follow(IObservable<PublishedSnapshot> publications)
    {
        ArgumentNullException.ThrowIfNull(publications);
        return publications.Subscribe(new Observer(this));
    }

    /// <summary>Gets the history of one key (<c>window/field</c> or <c>window/x,y</c>), oldest first.</summary>
    public IReadOnlyList<HistoryPoint> Get(string key)
    {
        lock (_gate)
        {
            return _series.TryGetValue(key, out Series? series) ? series.Points.ToArray() : [];
        }
    }

    /// <summary>Gets every key with a history.</summary>
    public IReadOnlyList<string> Keys()
    {
        lock (_gate)
        {
            return [.. _order];
        }
    }

    public void Record(PublishedSnapshot snapshot)
    {
        lock (_gate)
        {
            foreach (WindowSnapshot w in snapshot.Windows)
            {
                foreach (FieldResult f in w.Fields)
                {
                    Append($"{w.Window}/{f.Name}", new HistoryPoint(snapshot.PublishedAt, f.Entropy, f.StandardError, f.Count));
                }

                foreach (PairResult p in w.Pairs)
                {
                    Append($"{w.Window}/{p.Key}", new HistoryPoint(
                        snapshot.PublishedAt,
                        p.Entropies.Joint,
                        p.Entropies.JointStandardError,
                        p.Entropies.Count,
                        p.Entropies.ConditionalYGivenX,
                        p.Entropies.ConditionalXGivenY,
                        p.Entropies.MutualInformation));
                }
            }
        }
    }

    private void Append(string key, HistoryPoint point)
    {
        if (!_series.TryGetValue(key, out Series? series))
        {
            series = new Series(new Queue<HistoryPoint>(_capacity));
            _series[key] = series;
            _order.Add(key);
        }

        if (series.Points.Count > 0 && series.Last == point.Time)
        {
            return; // a closed window and the periodic publication at the same instant: keep one point
        }

        if (series.Points.Count == _capacity)
        {
            series.Points.Dequeue();
        }

        series.Points.Enqueue(point);
        series.Last = point.Time;
    }

    private sealed class Series(Queue<HistoryPoint> points)
    {
        public Queue<HistoryPoint> Points { get; } = points;

        public DateTimeOffset Last { get; set; }
    }

    private sealed class Observer(SnapshotHistory history) : IObserver<PublishedSnapshot>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(PublishedSnapshot value) => history.Record(value);
    }
}
