namespace Microsoft.ML.Shira.Adapters.Injection;

/// <summary>One layer an injector wrapped.</summary>
/// <typeparam name="TLayer">The adapter layer type.</typeparam>
/// <param name="ModulePath">Hugging Face module path.</param>
/// <param name="Layer">The wrapper now in the tree.</param>
public sealed record InjectedLayer<TLayer>(string ModulePath, TLayer Layer) where TLayer : nn.Module<Tensor, Tensor>;
