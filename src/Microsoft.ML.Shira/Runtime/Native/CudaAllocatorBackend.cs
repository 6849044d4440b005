namespace Microsoft.ML.Shira.Runtime.Native;

/// <summary>
/// Which CUDA allocator libtorch chose, read from the environment variables it parses when it loads:
/// <c>PYTORCH_ALLOC_CONF</c> and the older <c>PYTORCH_CUDA_ALLOC_CONF</c>, comma-separated <c>key:value</c> pairs in which
/// <c>backend:cudaMallocAsync</c> selects the allocator built on <c>cudaMallocAsync</c> (the device's default memory pool,
/// whose statistics <see cref="CudaDriver.DefaultPoolStatistics"/> reads) and <c>backend:native</c> or no backend key the
/// caching allocator.
/// </summary>
/// <remarks>
/// <para>
/// The tokens are split as libtorch 2.10's <c>ConfigTokenizer</c> (c10/core/AllocatorConfig.h) splits them: at
/// <c>,</c> <c>:</c> <c>[</c> <c>]</c>, white space dropped; a key is followed by <c>:</c> and a value or a bracketed list.
/// A malformed string or an unknown backend value (libtorch refuses both) is <see cref="Kind.Unknown"/>.
/// </para>
/// <para>
/// PyTorch revisions disagree on which variable wins when both are set (one <c>CUDAAllocatorConfig::instance</c> reads
/// <c>PYTORCH_ALLOC_CONF</c> first, another <c>PYTORCH_CUDA_ALLOC_CONF</c> first, and releases up to 2.8 read only
/// <c>PYTORCH_CUDA_ALLOC_CONF</c>), and the benchmark may load the libtorch of any installed PyTorch. So the answer is
/// <see cref="Kind.CudaMallocAsync"/> only when every variable that is set selects it (each in full: one set without a
/// backend key selects the caching allocator), <see cref="Kind.Native"/> when every set variable selects the caching
/// allocator or none is set, and <see cref="Kind.Unknown"/> when they disagree. The variables are read through
/// <see cref="Environment"/>, which on Linux does not see a variable set later in the process by native code (nor does
/// libtorch see one set by <see cref="Environment.SetEnvironmentVariable(string, string?)"/>); set them before the process
/// starts.
/// </para>
/// </remarks>
internal static class CudaAllocatorBackend
{
    /// <summary>The variables libtorch reads, primary first.</summary>
    public static readonly string[] Variables = ["PYTORCH_ALLOC_CONF", "PYTORCH_CUDA_ALLOC_CONF"];

    /// <summary>The allocator libtorch uses on CUDA devices.</summary>
    public enum Kind
    {
        /// <summary>The caching allocator (the default): the pool statistics do not describe PyTorch's tensors.</summary>
        Native,

        /// <summary><c>backend:cudaMallocAsync</c>: tensors live in the device's default memory pool.</summary>
        CudaMallocAsync,

        /// <summary>A malformed or unknown setting, or variables that disagree: report no pool figure.</summary>
        Unknown,
    }

    /// <summary>The backend of this process's environment, with a line that says why.</summary>
    public static (Kind Kind, string Reason) FromEnvironment() => From(Environment.GetEnvironmentVariable);

    /// <summary>The backend that the variables <paramref name="getVariable"/> answers select (null: not set).</summary>
    public static (Kind Kind, string Reason) From(Func<string, string?> getVariable)
    {
        var set = Variables.Select(name => (Name: name, Value: getVariable(name))).Where(v => v.Value is not null).ToList();
        if (set.Count == 0)
            return (Kind.Native, "no " + string.Join(" or ", Variables) + ": the caching allocator");
        var kinds = set.Select(v => (v.Name, v.Value, Kind: Parse(v.Value!))).ToList();
        string described = string.Join(", ", kinds.Select(k => $"{k.Name}={k.Value} ({k.Kind})"));
        var distinct = kinds.Select(k => k.Kind).Distinct().ToList();
        return distinct.Count == 1 ? (distinct[0], described) : (Kind.Unknown, described + ": they disagree, and PyTorch revisions differ on which wins");
    }

    /// <summary>The backend one variable's value selects.</summary>
    public static Kind Parse(string value)
    {
        var tokens = Tokenize(value);
        var kind = Kind.Native;
        for (int i = 0; i < tokens.Count; i++)
        {
            string key = tokens[i];
            if (key is "," or ":" or "[" or "]" || i + 2 >= tokens.Count || tokens[i + 1] != ":")
                return Kind.Unknown;
            i += 2;
            if (key == "backend")
            {
                kind = tokens[i] switch
                {
                    "cudaMallocAsync" => Kind.CudaMallocAsync,
                    "native" => Kind.Native,
                    _ => Kind.Unknown,
                };
                if (kind == Kind.Unknown)
                    return kind;
            }
            else if (tokens[i] == "[")
            {
                while (i < tokens.Count && tokens[i] != "]")
                    i++;
                if (i == tokens.Count)
                    return Kind.Unknown;
            }
            else if (tokens[i] is "," or ":" or "]")
            {
                return Kind.Unknown;
            }
            if (i + 1 < tokens.Count && tokens[++i] != ",")
                return Kind.Unknown;
        }
        return kind;
    }

    private static List<string> Tokenize(string value)
    {
        var tokens = new List<string>();
        var buffer = new System.Text.StringBuilder();
        foreach (char c in value)
        {
            if (c is ',' or ':' or '[' or ']')
            {
                if (buffer.Length > 0)
                    tokens.Add(buffer.ToString());
                buffer.Clear();
                tokens.Add(c.ToString());
            }
            else if (!char.IsWhiteSpace(c))
            {
                buffer.Append(c);
            }
        }
        if (buffer.Length > 0)
            tokens.Add(buffer.ToString());
        return tokens;
    }
}
