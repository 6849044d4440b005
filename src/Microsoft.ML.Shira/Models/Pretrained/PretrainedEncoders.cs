using Microsoft.ML.Shira.Checkpoints.Onnx;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Models.Pretrained;

/// <summary>Pretrained encoders whose weights ship inside this assembly.</summary>
public static class PretrainedEncoders
{
    /// <summary>Hugging Face id of <see cref="MiniLmL6V2"/>.</summary>
    public const string MiniLmL6V2Name = "sentence-transformers/all-MiniLM-L6-v2";

    /// <summary>Longest input of all-MiniLM-L6-v2 in sentence-transformers (<c>max_seq_length</c>), in tokens.</summary>
    public const int MiniLmL6V2MaxLength = 256;

    /// <summary>
    /// sentence-transformers' all-MiniLM-L6-v2 (6 layers, 12 heads, width 384, 22.7 M parameters) with its uncased
    /// WordPiece tokenizer (max length <see cref="MiniLmL6V2MaxLength"/>). Each call builds a new model from the
    /// embedded ONNX file.
    /// </summary>
    public static PretrainedEncoder MiniLmL6V2()
    {
        using var onnx = OpenMiniLmL6V2Onnx();
        var model = OnnxBertImporter.LoadModel(onnx);
        try
        {
            using var vocab = OpenMiniLmL6V2Vocab();
            var tokenizer = BertTextTokenizer.FromVocab(vocab, lowerCase: true, maxLength: MiniLmL6V2MaxLength);
            return new PretrainedEncoder(MiniLmL6V2Name, model, tokenizer);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Opens the embedded ONNX file of all-MiniLM-L6-v2 (PyTorch export; outputs <c>last_hidden_state</c>).</summary>
    public static Stream OpenMiniLmL6V2Onnx() => PretrainedResourceNames.Open(PretrainedResourceNames.MiniLmL6V2Onnx);

    /// <summary>Opens the embedded WordPiece <c>vocab.txt</c> of all-MiniLM-L6-v2.</summary>
    public static Stream OpenMiniLmL6V2Vocab() => PretrainedResourceNames.Open(PretrainedResourceNames.MiniLmL6V2Vocab);
}
