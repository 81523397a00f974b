using System.Globalization;
using System.Text;

namespace Agents.Tests.Integration.Operations;

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> in the protobuf wire format (the fields a test needs:
/// resource attributes, scope name, span ids, parent, name, attributes), from the field numbers of
/// opentelemetry/proto/trace/v1/trace.proto. No generated code: the wire format is a few rules.
/// </summary>
public static class OtlpProtobuf
{
    public static List<OtlpSpan> ReadTraces(ReadOnlySpan<byte> request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(request.ToArray()))
        {
            if (field != 1) continue;   // ExportTraceServiceRequest.resource_spans
            var resource = new Dictionary<string, string>();
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1) foreach (var (rf, kv) in Fields(value)) { if (rf == 1) Add(resource, kv); }   // Resource.attributes
                else if (f == 2) scopes.Add(value);   // ResourceSpans.scope_spans
            }
            foreach (var scopeSpans in scopes)
            {
                var scope = "";
                foreach (var (f, value) in Fields(scopeSpans))
                {
                    if (f == 1) scope = Fields(value).Where(x => x.Field == 1).Select(x => Encoding.UTF8.GetString(x.Value)).FirstOrDefault() ?? "";
                    else if (f == 2) spans.Add(Span(value, scope, resource));
                }
            }
        }
        return spans;
    }

    private static OtlpSpan Span(byte[] span, string scope, Dictionary<string, string> resource)
    {
        string trace = "", id = "", name = "";
        string? parent = null;
        var attributes = new Dictionary<string, string>();
        foreach (var (f, value) in Fields(span))
        {
            switch (f)
            {
                case 1: trace = Convert.ToHexStringLower(value); break;
                case 2: id = Convert.ToHexStringLower(value); break;
                case 4: parent = value.Length == 0 ? null : Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
                case 9: Add(attributes, value); break;
            }
        }
        return new OtlpSpan(trace, id, parent, name, scope, attributes, resource);
    }

    /// <summary>A KeyValue (key = 1, value = 2: AnyValue) into <paramref name="into"/>, the value as text.</summary>
    private static void Add(Dictionary<string, string> into, byte[] keyValue)
    {
        string? key = null, text = null;
        foreach (var (f, value) in Fields(keyValue))
        {
            if (f == 1) key = Encoding.UTF8.GetString(value);
            else if (f == 2) text = AnyValue(value);
        }
        if (key is not null) into[key] = text ?? "";
    }

    private static string AnyValue(byte[] anyValue)
    {
        var position = 0;
        while (position < anyValue.Length)
        {
            var tag = (int)Varint(anyValue, ref position);
            var (field, wire) = (tag >> 3, tag & 7);
            switch (wire)
            {
                case 0:
                    var v = Varint(anyValue, ref position);
                    return field == 2 ? (v != 0).ToString() : ((long)v).ToString(CultureInfo.InvariantCulture);
                case 1:
                    var d = BitConverter.ToDouble(anyValue, position);
                    position += 8;
                    return d.ToString(CultureInfo.InvariantCulture);
                case 2:
                    var length = (int)Varint(anyValue, ref position);
                    var bytes = anyValue.AsSpan(position, length);
                    position += length;
                    if (field == 1) return Encoding.UTF8.GetString(bytes);
                    break;
                case 5: position += 4; break;
                default: throw new FormatException($"unexpected wire type {wire}");
            }
        }
        return "";
    }

    /// <summary>The length-delimited fields of a message (others are skipped): field number and bytes.</summary>
    private static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var position = 0;
        var result = new List<(int, byte[])>();
        while (position < message.Length)
        {
            var tag = (int)Varint(message, ref position);
            var (field, wire) = (tag >> 3, tag & 7);
            switch (wire)
            {
                case 0: Varint(message, ref position); break;
                case 1: position += 8; break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    result.Add((field, message.AsSpan(position, length).ToArray()));
                    position += length;
                    break;
                case 5: position += 4; break;
                default: throw new FormatException($"unexpected wire type {wire} at {position}");
            }
        }
        return result;
    }

    private static ulong Varint(byte[] data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException("varint too long");
    }
}
