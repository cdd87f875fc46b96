using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using StreamEntropy.Core.Counting;

// One measurement per process, so that each starts from the same resident set (see run.sh for the commands).
//   memory values N [LENGTH]  intern N distinct values of LENGTH bytes (default 8) and count each once (PRESIZE=1:
//                             the count table allocated for N ids before the baseline, to tell its doubling apart)
//   memory pairs N            count N distinct pairs (x, y) of 1 000 x values
//   time N                    hits at N distinct values and pairs, in random order, and a random-access baseline
//   ab OTHER_DIR N [ROUNDS]   HitWorkload of this build and of the build in OTHER_DIR, alternately, by CPU time
//   readers OTHER_DIR N [ROUNDS]  the loops that read CountTable.Counts, this build's Core and OTHER_DIR's, by CPU time
// Memory lines: the bytes of each array of the interner and the count table per distinct value (or pair), then the
// resident-set growth (peak and at the end) and the live managed heap per distinct value.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: CountingHarness (memory values|memory pairs|time) N [LENGTH] | ab OTHER_DIR N [ROUNDS]");
    return 2;
}

return args[0] switch
{
    "memory" => Memory(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8),
    "time" => Time(int.Parse(args[1], CultureInfo.InvariantCulture)),
#if !BASE
    "ab" => StreamEntropy.Benchmarks.CountingMemory.CpuAb.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 11),
    "readers" => StreamEntropy.Benchmarks.CountingMemory.ReaderAb.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 11),
#endif
    _ => 2,
};

static int Memory(string kind, int n, int length)
{
    byte[] buffer = new byte[Math.Max(length, 16)];
    CountTable table = new(Environment.GetEnvironmentVariable("PRESIZE") == "1" ? n : 16); // PRESIZE=1: counts allocated once (how much of the growth is the doubling counts' garbage)
    var pairs = new PairCountTable(new PairInterner());
    var interner = new ValueInterner();
    Value(buffer, 0, length);
    interner.GetOrAdd(buffer.AsSpan(0, length)); // JIT and first allocations before the baseline
    pairs.Add(0, 0);
    table.Add(0);
    GC.Collect();
    long rss0 = Status("VmRSS");
    long live0 = GC.GetTotalMemory(true);
    if (kind == "values")
    {
        bool collect = Environment.GetEnvironmentVariable("COLLECT") == "1";
        for (int i = 1; i < n; i++)
        {
            table.Add(interner.GetOrAdd(Value(buffer, i, length)));
            if (collect && (i & 0xFFFF) == 0)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: false);
            }
        }
    }
    else
    {
        for (int i = 1; i < n; i++)
        {
            pairs.Add(i / 1000, i % 1000);
        }
    }

    long peak = Status("VmHWM") - rss0;
    long end = Status("VmRSS") - rss0;
    long live = GC.GetTotalMemory(true) - live0;
    GC.KeepAlive(interner);
    GC.KeepAlive(table);
    GC.KeepAlive(pairs);
    object[] owners = kind == "values" ? [interner, table] : [pairs.Pairs, pairs.Joint];
    foreach (object owner in owners)
    {
        foreach (System.Reflection.FieldInfo field in owner.GetType().GetFields(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance))
        {
            long bytes = ArrayBytes(field.GetValue(owner), 0);
            if (bytes >= n)
            {
                Console.Write(FormattableString.Invariant($"{field.Name} {(double)bytes / n:F1} B, "));
            }
        }
    }

    Console.WriteLine(FormattableString.Invariant($"{kind} n={n} length={length}: RSS growth peak {(double)peak / n:F1} B, end {(double)end / n:F1} B; live heap {(double)live / n:F1} B per distinct {(kind == "values" ? "value" : "pair")}"));
    return 0;
}

// The bytes of the arrays a field holds: an array (of arrays: each), or a struct's fields that hold arrays.
static long ArrayBytes(object? value, int depth)
{
    switch (value)
    {
        case null:
            return 0;
        case Array array when array.GetType().GetElementType()!.IsArray:
            long sum = 0;
            foreach (object? inner in array)
            {
                sum += ArrayBytes(inner, depth + 1);
            }

            return sum;
        case Array array:
            return (long)array.Length * System.Runtime.InteropServices.Marshal.SizeOf(array.GetType().GetElementType()!);
        default:
            long total = 0;
            if (value.GetType().IsValueType && depth < 2)
            {
                foreach (System.Reflection.FieldInfo field in value.GetType().GetFields(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance))
                {
                    total += ArrayBytes(field.GetValue(value), depth + 1);
                }
            }

            return total;
    }
}

// "u" and the number in decimal, zero-padded to the length (8: "u0000042", an id of 8 characters).
static ReadOnlySpan<byte> Value(byte[] buffer, int i, int length)
{
    buffer[0] = (byte)'u';
    Utf8Formatter.TryFormat(i, buffer.AsSpan(1, length - 1), out _, new StandardFormat('D', (byte)(length - 1)));
    return buffer.AsSpan(0, length);
}

static long Status(string key)
{
    foreach (string line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith(key + ":", StringComparison.Ordinal))
        {
            return long.Parse(line.AsSpan(key.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        }
    }

    throw new InvalidOperationException(key + " not in /proc/self/status");
}

static int Time(int n)
{
    const int Lookups = 4_000_000;
    const int Rounds = 5;
    var random = new Random(1);
    byte[] bytes = new byte[n * 8L > int.MaxValue ? throw new ArgumentOutOfRangeException(nameof(n)) : n * 8];
    var interner = new ValueInterner();
    var table = new CountTable();
    for (int i = 0; i < n; i++)
    {
        Value(bytes.AsSpan(i * 8, 8).ToArray(), i, 8).CopyTo(bytes.AsSpan(i * 8));
        table.Add(interner.GetOrAdd(bytes.AsSpan(i * 8, 8)));
    }

    int[] order = new int[Lookups];
    int[] starts = new int[Lookups];
    int[] lengths = new int[Lookups];
    int[] xs = new int[Lookups];
    int[] ys = new int[Lookups];
    for (int i = 0; i < Lookups; i++)
    {
        order[i] = random.Next(n);
        starts[i] = order[i] * 8;
        lengths[i] = 8;
        xs[i] = order[i] / 1000;
        ys[i] = order[i] % 1000;
    }

    var pairs = new PairCountTable(new PairInterner());
    for (int i = 0; i < n; i++)
    {
        pairs.Add(i / 1000, i % 1000);
    }

    Report("intern hit", n, Rounds, Lookups, () =>
    {
        long sum = 0;
        foreach (int v in order)
        {
            sum += interner.GetOrAdd(bytes.AsSpan(v * 8, 8));
        }

        return sum;
    });
    Report("intern hit + count", n, Rounds, Lookups, () =>
    {
        foreach (int v in order)
        {
            table.Add(interner.GetOrAdd(bytes.AsSpan(v * 8, 8)));
        }

        return table.Total;
    });
    int[] ids = new int[64];
    Report("intern hit, GetOrAddMany by 64", n, Rounds, Lookups, () =>
    {
        long sum = 0;
        for (int i = 0; i + 64 <= Lookups; i += 64)
        {
            interner.GetOrAddMany(bytes, starts.AsSpan(i, 64), lengths.AsSpan(i, 64), ids);
            sum += ids[0];
        }

        return sum;
    });
#if !BASE
    Report("intern hit + count, GetOrAddMany + AddMany by 64", n, Rounds, Lookups, () =>
    {
        for (int i = 0; i + 64 <= Lookups; i += 64)
        {
            interner.GetOrAddMany(bytes, starts.AsSpan(i, 64), lengths.AsSpan(i, 64), ids);
            table.AddMany(ids);
        }

        return table.Total;
    });
#endif
    Report("pair update (PairCountTable.Add)", n, Rounds, Lookups, () =>
    {
        for (int i = 0; i < Lookups; i++)
        {
            pairs.Add(xs[i], ys[i]);
        }

        return pairs.Total;
    });
#if !BASE
    Report("pair update, AddMany by 64", n, Rounds, Lookups, () =>
    {
        for (int i = 0; i + 64 <= Lookups; i += 64)
        {
            pairs.AddMany(xs.AsSpan(i, 64), ys.AsSpan(i, 64));
        }

        return pairs.Total;
    });
#endif

    // The floor: one random 8-byte load per lookup in an array the size of a 12-byte-slot table at this count
    // (2 slots per value), dependent (each address from the previous load: latency) and independent (throughput).
    long[] memory = new long[(long)BitOperationsRoundUp(n * 3)];
    int mask = memory.Length - 1;
    for (int i = 0; i < memory.Length; i++)
    {
        memory[i] = random.Next() & mask;
    }

    Report(FormattableString.Invariant($"random load, dependent ({memory.Length * 8L >> 20} MiB)"), n, Rounds, Lookups, () =>
    {
        long at = 0;
        for (int i = 0; i < Lookups; i++)
        {
            at = memory[(at ^ order[i]) & mask];
        }

        return at;
    });
    Report(FormattableString.Invariant($"random load, independent ({memory.Length * 8L >> 20} MiB)"), n, Rounds, Lookups, () =>
    {
        long sum = 0;
        for (int i = 0; i < Lookups; i++)
        {
            sum += memory[(order[i] * 3) & mask];
        }

        return sum;
    });
    return 0;
}

static long BitOperationsRoundUp(int n) => (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)n);

[MethodImpl(MethodImplOptions.NoInlining)]
static void Report(string what, int n, int rounds, int operations, Func<long> run)
{
    run();
    var times = new List<double>();
    long sink = 0;
    for (int r = 0; r < rounds; r++)
    {
        long start = Stopwatch.GetTimestamp();
        sink += run();
        times.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / operations);
    }

    times.Sort();
    Console.WriteLine(FormattableString.Invariant($"{what}, n={n}: best {times[0]:F1} ns, median {times[rounds / 2]:F1} ns ({sink % 2})"));
}
