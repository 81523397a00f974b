namespace Agents.Bench;

/// <summary>What every suite reports alongside its figures.</summary>
public static class BenchStats
{
    /// <summary>The <paramref name="p"/>-th percentile (nearest rank); NaN for no values.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary>The one-minute load average: these machines are shared, so every figure says how busy it was.</summary>
    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }
}
