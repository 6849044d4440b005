using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Adapters.Switching;

/// <summary>
/// Where each adaptable weight lives for scattering: a flat tensor and the offset of the weight in it. By default every
/// weight is its own flat view. With consolidation, the weights of all <see cref="Linear"/> layers of one dtype and
/// device are moved into one contiguous buffer (each Linear then holds a view of it), so a whole-model adapter is
/// applied with a single indexed write instead of one per layer — per-call overhead dominates at 1% of a small model.
/// </summary>
internal sealed class WeightArena : IDisposable
{
    private readonly Dictionary<string, (Parameter Weight, Tensor Flat, long Offset)> _locations = new(StringComparer.Ordinal);
    private readonly List<Tensor> _owned = new();

    public WeightArena(nn.Module model, bool consolidate)
    {
        var linears = consolidate
            ? model.named_modules().Where(m => m.module is Linear { weight: not null } l && l.weight.dim() == 2)
                .Select(m => (Path: m.name, Linear: (Linear)m.module)).ToList()
            : new List<(string Path, Linear Linear)>();
        var consolidated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in linears.GroupBy(l => (l.Linear.weight!.dtype, l.Linear.weight.device.ToString())))
        {
            var members = group.ToList();
            long total = members.Sum(m => m.Linear.weight!.numel());
            var first = members[0].Linear.weight!;
            var arena = empty(total, dtype: first.dtype, device: first.device);
            _owned.Add(arena);
            long offset = 0;
            using (no_grad())
            {
                foreach (var (path, linear) in members)
                {
                    var old = linear.weight!;
                    long n = old.numel();
                    var view = arena.narrow(0, offset, n).view(old.shape);
                    view.copy_(old);
                    linear.weight = new Parameter(view, old.requires_grad);
                    _locations[path] = (linear.weight, arena, offset);
                    consolidated.Add(path);
                    offset += n;
                }
            }
        }

        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!name.EndsWith(".weight", StringComparison.Ordinal) || parameter.dim() != 2)
                continue;
            string path = name[..^".weight".Length];
            if (consolidated.Contains(path))
                continue;
            var flat = parameter.view(-1);
            _owned.Add(flat);
            _locations[path] = (parameter, flat, 0);
        }
    }

    public bool Contains(string path) => _locations.ContainsKey(path);

    public IEnumerable<string> Paths => _locations.Keys;

    public Parameter Weight(string path) => _locations[path].Weight;

    public (Tensor Flat, long Offset) Location(string path)
    {
        var location = _locations[path];
        return (location.Flat, location.Offset);
    }

    public void Dispose()
    {
        foreach (var tensor in _owned)
            tensor.Dispose();
        _owned.Clear();
    }
}
