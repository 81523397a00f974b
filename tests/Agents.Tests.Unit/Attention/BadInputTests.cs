using Agents.Inference.Attention;

namespace Agents.Tests.Unit.Attention;

public sealed class BadInputTests
{
    private const int D = 8;

    public static TheoryData<string> Readers => ["exact", "routed"];

    private static IMemoryReader Make(string kind, int valueDimension = 0) => kind == "exact"
        ? new ExactMemoryReader(D, valueDimension)
        : new RoutedMemoryReader(D, valueDimension, new RoutedReaderOptions { InitialBatchSize = 16 });

    private static IMemoryReader Filled(string kind, int n = 40)
    {
        var reader = Make(kind);
        var data = new TestVectors(TestVectors.FreshSeed());
        reader.InsertRange(TestVectors.Ids(n), data.Gaussian(n, D, 1f));
        return reader;
    }

    [Theory, MemberData(nameof(Readers))]
    public void Dimension_mismatch_is_named(string kind)
    {
        using var reader = Filled(kind);
        var e = Assert.Throws<DimensionMismatchException>(() => reader.Insert(1, new float[D + 1]));
        Assert.Contains("expected 8, got 9", e.Message);
        Assert.Equal("key", e.ParamName);
        Assert.Throws<DimensionMismatchException>(() => reader.Update(1000, new float[D - 1]));
        Assert.Throws<DimensionMismatchException>(() => reader.InsertRange([1, 2], new float[D * 3]));
        var q = Assert.Throws<DimensionMismatchException>(() => reader.Read(new float[D + 3], new ReadOptions(1), new ReadResult(2, 1, D)));
        Assert.Contains("not a positive whole number of rows of dimension 8", q.Message);
        Assert.Throws<DimensionMismatchException>(() => reader.Read(new float[0], new ReadOptions(1), new ReadResult(2, 1, D)));
        Assert.Throws<DimensionMismatchException>(() => reader.Read(Ones(1), new ReadOptions(1), new ReadResult(1, 1, D + 2)));
        Assert.Equal(40, reader.Count);
    }

    [Theory, MemberData(nameof(Readers))]
    public void Value_dimension_mismatch_is_named(string kind)
    {
        using var reader = Make(kind, valueDimension: 3);
        var e = Assert.Throws<DimensionMismatchException>(() => reader.Insert(1, Ones(1), new float[4]));
        Assert.Equal("value", e.ParamName);
        Assert.Throws<DimensionMismatchException>(() => reader.Insert(1, Ones(1)));
        Assert.Throws<DimensionMismatchException>(() => reader.InsertRange([1, 2], Ones(2), new float[5]));
        using var keysAreValues = Make(kind);
        Assert.Throws<ArgumentException>(() => keysAreValues.Insert(1, Ones(1), new float[D]));
        Assert.Equal(0, reader.Count);
    }

    [Theory, MemberData(nameof(Readers))]
    public void NaN_and_infinite_values_are_refused_with_their_position(string kind)
    {
        using var reader = Filled(kind);
        var key = Ones(1);
        key[3] = float.NaN;
        var e = Assert.Throws<NonFiniteValueException>(() => reader.Insert(1, key));
        Assert.Contains("NaN at element 3", e.Message);
        key[3] = float.PositiveInfinity;
        Assert.Contains("infinite value at element 3", Assert.Throws<NonFiniteValueException>(() => reader.Update(1000, key)).Message);

        var batch = Ones(5);
        batch[2 * D + 1] = float.NegativeInfinity;
        var r = Assert.Throws<NonFiniteValueException>(() => reader.InsertRange([1, 2, 3, 4, 5], batch));
        Assert.Contains("row 2 of 'keys'", r.Message);
        Assert.False(reader.Contains(1)); // the good rows before it were not added either

        var queries = Ones(3);
        queries[D + 5] = float.NaN;
        var q = Assert.Throws<NonFiniteValueException>(() => reader.Read(queries, new ReadOptions(1), new ReadResult(3, 1, D)));
        Assert.Contains("row 1 of 'queries'", q.Message);
        Assert.Contains("zero length", Assert.Throws<NonFiniteValueException>(() => reader.Insert(2, new float[D])).Message);
        Assert.Equal(40, reader.Count);
    }

    [Theory, MemberData(nameof(Readers))]
    public void NaN_in_a_separate_value_is_refused(string kind)
    {
        using var reader = Make(kind, valueDimension: 2);
        var e = Assert.Throws<NonFiniteValueException>(() => reader.Insert(1, Ones(1), [1f, float.NaN]));
        Assert.Equal("value", e.ParamName);
        Assert.Equal(0, reader.Count);
    }

    [Theory, MemberData(nameof(Readers))]
    public void K_larger_than_the_bank_is_named(string kind)
    {
        using var reader = Filled(kind, n: 40);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => reader.Read(Ones(1), new ReadOptions(41), new ReadResult(1, 41, D)));
        Assert.Contains("k = 41 is larger than the bank, which holds 40 memories", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Read(Ones(1), new ReadOptions(0), new ReadResult(1, 1, D)));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Read(Ones(1), new ReadOptions(1, Temperature: 0), new ReadResult(1, 1, D)));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Read(Ones(1), new ReadOptions(1, Probes: 0), new ReadResult(1, 1, D)));
    }

    [Theory, MemberData(nameof(Readers))]
    public void An_empty_bank_cannot_be_read(string kind)
    {
        using var reader = Make(kind);
        var e = Assert.Throws<EmptyBankException>(() => reader.Read(Ones(1), new ReadOptions(1), new ReadResult(1, 1, D)));
        Assert.Contains("empty", e.Message);
        reader.Insert(5, Ones(1));
        Assert.True(reader.Delete(5));
        Assert.Throws<EmptyBankException>(() => reader.Read(Ones(1), new ReadOptions(1), new ReadResult(1, 1, D)));
    }

    [Theory, MemberData(nameof(Readers))]
    public void Duplicate_and_unknown_ids_are_named(string kind)
    {
        using var reader = Filled(kind);
        Assert.Equal(1000, Assert.Throws<DuplicateMemoryIdException>(() => reader.Insert(1000, Ones(1))).Id);
        Assert.Throws<DuplicateMemoryIdException>(() => reader.InsertRange([7, 7], Ones(2)));
        Assert.Throws<DuplicateMemoryIdException>(() => reader.InsertRange([7, 1001], Ones(2)));
        Assert.False(reader.Contains(7));
        Assert.Contains("77", Assert.Throws<KeyNotFoundException>(() => reader.Update(77, Ones(1))).Message);
        Assert.Equal(40, reader.Count);
    }

    [Theory, MemberData(nameof(Readers))]
    public void A_result_of_the_wrong_shape_is_named(string kind)
    {
        using var reader = Filled(kind);
        Assert.Contains("holds 1 queries", Assert.Throws<ArgumentException>(() => reader.Read(Ones(2), new ReadOptions(1), new ReadResult(1, 1, D))).Message);
        Assert.Contains("k = 3", Assert.Throws<ArgumentException>(() => reader.Read(Ones(1), new ReadOptions(2), new ReadResult(1, 3, D))).Message);
    }

    private static float[] Ones(int rows) => Enumerable.Repeat(1f, rows * D).ToArray();
}
