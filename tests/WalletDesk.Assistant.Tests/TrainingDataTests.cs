using WalletDesk.Assistant.Intents;

namespace WalletDesk.Assistant.Tests;

public class TrainingDataTests
{
    [Fact]
    public void ReadCsv_CrlfQuotedMultilineAndCategoryColumn_ParsesRows()
    {
        var csv = "text,category\r\n\"two\r\nlines, with comma\",card_arrival\r\nplain,top_up\r\n";

        var rows = TrainingData.ReadCsv(new StringReader(csv), "test.csv");

        rows.Count.ShouldBe(2);
        rows[0].ShouldBe(new LabeledExample("two\r\nlines, with comma", "card_arrival"));
        rows[1].Label.ShouldBe("top_up");
    }

    [Fact]
    public void ReadCsv_WrongColumns_ThrowsWithColumnNames()
    {
        var e = Should.Throw<InvalidDataException>(() => TrainingData.ReadCsv(new StringReader("utterance,intent\nhi,greeting\n"), "bad.csv"));

        e.Message.ShouldContain("expected columns 'text' and 'label'");
        e.Message.ShouldContain("utterance,intent");
    }

    [Fact]
    public void ReadCsv_HeaderOnly_Throws()
    {
        Should.Throw<InvalidDataException>(() => TrainingData.ReadCsv(new StringReader("text,label\n"), "empty.csv"))
            .Message.ShouldContain("no data rows");
    }

    [Fact]
    public void ReadCsv_EmptyInput_Throws()
    {
        Should.Throw<InvalidDataException>(() => TrainingData.ReadCsv(new StringReader(""), "empty.csv"));
    }

    [Fact]
    public void ReadCsv_MissingFile_ThrowsFileNotFound()
    {
        Should.Throw<FileNotFoundException>(() => TrainingData.ReadCsv(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".csv")));
    }

    [Fact]
    public void ShippedData_MeetsCoverageRules()
    {
        var rows = WalletIntentModel.LoadTrainingData();

        rows.Count.ShouldBeGreaterThanOrEqualTo(800);
        foreach (var group in rows.GroupBy(r => r.Label))
        {
            var chinese = group.Count(r => r.Text.Any(TextNormalizer.IsCjk));
            (group.Count() - chinese).ShouldBeGreaterThanOrEqualTo(15, group.Key);
            chinese.ShouldBeGreaterThanOrEqualTo(10, group.Key);
        }

        rows.Select(r => r.Label).Distinct().Count().ShouldBe(22);
    }
}
