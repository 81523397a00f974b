using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Agents.Abstractions.Serialization;

/// <summary>
/// System.Text.Json settings for grain arguments, results and state of types the wire format has no
/// direct encoding for. Register source-generated contexts with <see cref="AddContext"/> at start-up
/// (before the first call); types found in no context fall back to reflection-based metadata.
/// </summary>
public static class GrainJson
{
    private static readonly Lock Gate = new();
    private static readonly List<IJsonTypeInfoResolver> Contexts = [];
    private static JsonSerializerOptions? _options;

    public static void AddContext(JsonSerializerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (Gate)
        {
            if (_options is not null && !Contexts.Contains(context))
                throw new InvalidOperationException("GrainJson.AddContext must be called before the first grain call serializes an object.");
            if (!Contexts.Contains(context)) Contexts.Add(context);
        }
    }

    public static JsonSerializerOptions Options
    {
        get
        {
            if (_options is { } ready) return ready;
            lock (Gate)
            {
                if (_options is null)
                {
                    var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
                    {
                        TypeInfoResolver = JsonTypeInfoResolver.Combine([.. Contexts, new DefaultJsonTypeInfoResolver()]),
                        IncludeFields = true,
                    };
                    options.MakeReadOnly();
                    _options = options;
                }
                return _options;
            }
        }
    }

    public static JsonTypeInfo<T> TypeInfo<T>() => Cache<T>.Info;

    private static class Cache<T>
    {
        public static readonly JsonTypeInfo<T> Info = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
    }
}
