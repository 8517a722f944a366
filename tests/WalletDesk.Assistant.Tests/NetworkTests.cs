using WalletDesk.Assistant.Intents;

namespace WalletDesk.Assistant.Tests;

public class NetworkTests
{
    // Features: 0 = always present, 1 = "a", 2 = "b". Label 1 when exactly one of a/b is present (XOR),
    // which no linear model over these features can separate (the values are left unnormalised on purpose:
    // scaling each row to unit length would make the four points linearly separable).
    private static readonly SparseVector[] Xor =
    [
        new([0], [1f]),
        new([0, 1], [1f, 1f]),
        new([0, 2], [1f, 1f]),
        new([0, 1, 2], [1f, 1f, 1f]),
    ];

    private static readonly int[] XorLabels = [0, 1, 1, 0];

    [Fact]
    public void Train_Xor_LearnsWhatALinearModelCannot()
    {
        var x = Enumerable.Range(0, 50).SelectMany(_ => Xor).ToArray();
        var y = Enumerable.Range(0, 50).SelectMany(_ => XorLabels).ToArray();

        var network = HiddenLayerNetwork.Train(x, y, inputs: 3, classes: 2, new NetworkSettings(16, 200, 0.05, 0.0, 1f), seed: 1);

        var probabilities = new double[2];
        for (var i = 0; i < Xor.Length; i++)
        {
            network.Predict(Xor[i], probabilities);
            probabilities[XorLabels[i]].ShouldBeGreaterThan(0.8, $"row {i}");
            probabilities.Sum().ShouldBe(1.0, 1e-9);
        }

        var (weights, bias) = LinearSvm.Train(new SparseMatrix(x, 3), y, 2, 10.0, 1, 1);
        var scores = new double[2];
        var linearCorrect = 0;
        for (var i = 0; i < Xor.Length; i++)
        {
            LinearSvm.Score(Xor[i], weights, bias, scores);
            linearCorrect += (scores[1] > scores[0] ? 1 : 0) == XorLabels[i] ? 1 : 0;
        }

        linearCorrect.ShouldBeLessThan(4);
    }

    [Fact]
    public void Train_SameSeed_IsDeterministic()
    {
        var settings = new NetworkSettings(8, 5, 0.05, 0.5, 5f);
        var a = HiddenLayerNetwork.Train(Xor, XorLabels, 3, 2, settings, seed: 7);
        var b = HiddenLayerNetwork.Train(Xor, XorLabels, 3, 2, settings, seed: 7);

        a.W1.ShouldBe(b.W1);
        a.W2.ShouldBe(b.W2);
    }
}
