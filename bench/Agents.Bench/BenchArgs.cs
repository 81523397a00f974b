using System.Globalization;

namespace Agents.Bench;

/// <summary>Parses <c>--name value</c> options of a suite; unknown names are an error, not ignored.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public BenchArgs(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new BenchUsageException($"unexpected argument '{args[i]}'");
            var name = args[i][2..];
            _values[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }
    }

    public string String(string name, string fallback) { _read.Add(name); return _values.GetValueOrDefault(name, fallback); }
    public int Int(string name, int fallback) =>
        int.TryParse(String(name, fallback.ToString(CultureInfo.InvariantCulture)), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value : throw new BenchUsageException($"--{name} takes an integer, not '{_values[name]}'");
    public double Double(string name, double fallback) =>
        double.TryParse(String(name, fallback.ToString(CultureInfo.InvariantCulture)), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value : throw new BenchUsageException($"--{name} takes a number, not '{_values[name]}'");
    public bool Flag(string name) { _read.Add(name); return _values.ContainsKey(name); }

    /// <summary>Call after reading every option: fails on options the suite does not know.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToArray();
        if (unknown.Length > 0) throw new BenchUsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}
