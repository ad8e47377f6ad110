"""lucidnet.nn: layers, containers, losses and initializers, in PyTorch's names."""
from .module import MODULES, Module, Parameter, module_from_config
from .container import ModuleDict, ModuleList, Sequential
