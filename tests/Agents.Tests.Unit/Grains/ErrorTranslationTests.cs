using Agents.Abstractions;
using Agents.Grains.Errors;
using Agents.Memory.Model;
using Npgsql;

namespace Agents.Tests.Unit.Grains;

public sealed class ErrorTranslationTests
{
    [Fact]
    public void A_database_error_crosses_silos_as_a_contract_exception_that_says_to_retry()
    {
        var translated = ErrorTranslation.Translate(new NpgsqlException("Exception while connecting"));

        var unavailable = Assert.IsType<StoreUnavailableException>(translated);
        Assert.Contains("Exception while connecting", unavailable.Message);
    }

    [Fact]
    public void Engine_errors_map_to_their_contracts_and_contract_errors_pass_unchanged()
    {
        Assert.IsType<NotFoundException>(ErrorTranslation.Translate(new MemoryNotFoundException("no memory 42")));
        Assert.IsType<InvalidRequestException>(ErrorTranslation.Translate(new ArgumentException("bad")));
        Assert.Null(ErrorTranslation.Translate(new NotFoundException("gone")));
        Assert.Null(ErrorTranslation.Translate(new InvalidOperationException("a bug")));
    }
}
