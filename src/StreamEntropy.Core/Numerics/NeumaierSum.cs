namespace StreamEntropy.Core.Numerics;

/// <summary>A running sum with Neumaier's compensation: the error stays near one rounding of the total.</summary>
internal struct NeumaierSum
{
    private double _sum;
    private double _compensation;

    public NeumaierSum(double value)
    {
        _sum = value;
        _compensation = 0;
    }

    public readonly double Value => _sum + _compensation;

    public void Add(double value)
    {
        double t = _sum + value;
        _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - t) + value : (value - t) + _sum;
        _sum = t;
    }
}
