using System.Globalization;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>
/// Hides real ids from a model: the candidates are shown as "0", "1", ... and every id in the answer
/// is mapped back here. An answer naming any other id is refused with
/// <see cref="UnknownMemoryReferenceException"/>, so a model cannot invent or mistype an id into the store.
/// </summary>
public sealed class ShortIdMap
{
    private readonly List<Guid> _ids = [];
    private readonly Dictionary<Guid, string> _keys = [];

    /// <summary>The short id of <paramref name="id"/>, assigned on first sight.</summary>
    public string KeyOf(Guid id)
    {
        if (_keys.TryGetValue(id, out var key)) return key;
        key = _ids.Count.ToString(CultureInfo.InvariantCulture);
        _ids.Add(id);
        _keys.Add(id, key);
        return key;
    }

    public int Count => _ids.Count;

    public IReadOnlyList<string> Keys => _ids.ConvertAll(id => _keys[id]);

    /// <summary>The real id behind <paramref name="key"/> as the model wrote it (trimmed; quotes tolerated).</summary>
    public Guid Resolve(string? key, string step)
    {
        var k = key?.Trim().Trim('"', '\'') ?? "";
        if (int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i >= 0 && i < _ids.Count && k == i.ToString(CultureInfo.InvariantCulture))
            return _ids[i];
        throw new UnknownMemoryReferenceException(key ?? "(missing)", step, Keys.ToList());
    }
}
