using Interop.Cli;

return Driver.Run(args, Console.Out, Console.Error);
