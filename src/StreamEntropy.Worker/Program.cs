using StreamEntropy.Worker.Commands;

return await CommandLineApp.InvokeAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
