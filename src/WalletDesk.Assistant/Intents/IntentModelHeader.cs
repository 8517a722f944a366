namespace WalletDesk.Assistant.Intents;

/// <summary>Descriptive metadata stored at the start of a model file, readable without loading the weights.</summary>
public sealed record IntentModelHeader
{
    /// <summary>Binary layout version of the file; see <see cref="IntentModel.FormatVersion"/>.</summary>
    public required int FormatVersion { get; init; }

    /// <summary>Identifier of this trained model, e.g. <c>nlu-20261122T101500Z-3fa9c2d1</c>.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>When training finished.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>SHA-256 (hex) over the training rows, so two models can be traced to the same data.</summary>
    public required string TrainingDataHash { get; init; }

    /// <summary>Number of training rows.</summary>
    public required int TrainingRows { get; init; }

    /// <summary>Label names in model order.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Hyperparameters chosen or fitted during training (C, view weight, temperature, thresholds...).</summary>
    public required IReadOnlyDictionary<string, double> Hyperparameters { get; init; }

    /// <summary>Held-out metrics measured during training (inner cross-validation).</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }
}

/// <summary>Thrown when a model file is not a WalletDesk NLU model, is of an unsupported version, or is damaged.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
