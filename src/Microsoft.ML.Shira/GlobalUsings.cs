// TorchSharp is the tensor language of the whole library: models, adapters, masks, training and inference.
global using TorchSharp;
global using static TorchSharp.torch;
