using System.Text;

namespace Microsoft.ML.Shira.Evaluation.Data;

/// <summary>Reads a two-column <c>text,label</c> CSV file with a header (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks).</summary>
internal static class Csv
{
    public static List<TextRow> ReadRows(string path)
    {
        var records = Parse(File.ReadAllText(path, Encoding.UTF8)).ToList();
        if (records.Count == 0 || records[0].Count != 2)
            throw new FormatException($"'{path}' is not a two-column CSV file with a header.");
        return records.Skip(1)
            .Select((fields, i) => fields.Count == 2 ? fields : throw new FormatException($"'{path}' record {i + 2} has {fields.Count} fields; expected 2."))
            .Where(fields => fields[0].Trim().Length > 0)
            .Select(fields => new TextRow { Text = fields[0].Trim(), Label = fields[1].Trim() })
            .ToList();
    }

    private static IEnumerable<List<string>> Parse(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return fields;
                    fields = new List<string>();
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return fields;
        }
    }
}
