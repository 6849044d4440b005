using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira.Text;

/// <summary>Loads the tokenizer of an encoder's Hugging Face folder, chosen by the model's <c>model_type</c>.</summary>
internal static class EncoderTokenizers
{
    /// <summary>
    /// <c>roberta</c>: byte-level BPE (<see cref="RobertaTextTokenizer"/>); <c>xlm-roberta</c>: the unigram model of its
    /// <c>tokenizer.json</c> (<see cref="XlmRobertaTextTokenizer"/>); <c>bert</c>, <c>distilbert</c>: WordPiece
    /// <c>vocab.txt</c> (<see cref="BertTextTokenizer"/>) with <c>do_lower_case</c> and <c>model_max_length</c> from
    /// <c>tokenizer_config.json</c>; sequences never exceed <paramref name="maxTokens"/>.
    /// </summary>
    /// <param name="source">The folder's files.</param>
    /// <param name="modelType">The model's <c>model_type</c>.</param>
    /// <param name="maxTokens">Longest input the model's positions allow.</param>
    /// <exception cref="ShiraFormatException">The tokenizer files are missing or malformed, or the model type's tokenizer is not supported; the message names the file.</exception>
    public static IEncoderTokenizer Load(IModelFileSource source, string modelType, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(source);
        switch (modelType)
        {
            case "roberta":
                return RobertaTextTokenizer.Load(source, EncoderTokenizerConfig.Read(source, maxTokens).MaxLength);
            case "xlm-roberta":
                return XlmRobertaTextTokenizer.Load(source, EncoderTokenizerConfig.Read(source, maxTokens).MaxLength);
            default:
                string vocab = BertTextTokenizer.VocabFileName;
                if (!source.Exists(vocab))
                    throw new ShiraFormatException($"Tokenizer vocabulary '{source.Describe(vocab)}' does not exist; a {modelType} model folder needs {vocab}.");
                var config = EncoderTokenizerConfig.Read(source, maxTokens);
                using (var stream = new MemoryStream(source.ReadAllBytes(vocab), writable: false))
                    return BertTextTokenizer.FromVocab(stream, config.LowerCase, config.MaxLength, source.Describe(vocab));
        }
    }
}
